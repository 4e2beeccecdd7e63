package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.agenttasks.local.AgentTasksLocal;
import dev.agenttasks.localaws.LocalAws;
import dev.agenttasks.localaws.LocalProvisioner;
import dev.agenttasks.localaws.SamTemplate;
import dev.agenttasks.localaws.SharedMotoServer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The client against the whole local stack in-process (moto, the HTTP API, the worker with the simulated
 * provider) over real sockets, including a connection that dies after the server accepted a submit.
 */
class AgentTasksClientIT {

    private static AgentTasksLocal stack;
    private static URI base;
    private static AgentTasksClient alice;

    @BeforeAll
    static void start() {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("AWS_ENDPOINT_URL", SharedMotoServer.get().endpoint().toString());
        env.put("LOCAL_API_KEYS", "alice-token=alice,bob-token=bob");
        env.put("SIMULATED_LATENCY_MS", "20");
        env.put("PATH", System.getenv("PATH"));
        SharedMotoServer.get().reset();
        stack = AgentTasksLocal.start(env);
        base = URI.create("http://127.0.0.1:" + stack.port());
        alice = client(base, "alice-token");
    }

    @AfterAll
    static void stop() {
        if (alice != null) {
            alice.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static AgentTasksClient client(URI url, String token) {
        return AgentTasksClient.builder().baseUrl(url).auth(Auth.bearer(token))
                .pollInterval(Duration.ofMillis(100), Duration.ofMillis(500)).build();
    }

    @Test
    void aSubmittedTaskIsAwaitedToItsResult() {
        TaskView done = alice.submitAndAwait(SubmitRequest.builder("What is a lease?").maxTokens(64).build(),
                Duration.ofSeconds(60));

        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(done.result()).hasValueSatisfying(result -> assertThat(result).startsWith("[simulated "));
        assertThat(done.model()).hasValue("llama-3.1-8b-instant");
        assertThat(done.usage()).isPresent();
    }

    @Test
    void aSubmitWhoseAnswerIsLostIsRetriedWithTheSameKeyAndMakesOneTask() throws Exception {
        String text = "What is an idempotency key? (lost answer)";
        try (DroppingProxy proxy = new DroppingProxy(base, 1); AgentTasksClient throughProxy = client(proxy.url(), "alice-token")) {

            Submission submission = throughProxy.submit(text);

            List<DroppingProxy.Forwarded> posts = proxy.forwarded().stream()
                    .filter(f -> f.requestLine().startsWith("POST /tasks ")).toList();
            assertThat(posts).hasSize(2);
            assertThat(posts.get(0).dropped()).isTrue();
            assertThat(posts.get(0).response()).startsWith("HTTP/1.1 202").contains(submission.task().taskId());
            assertThat(posts.get(1).dropped()).isFalse();
            assertThat(posts).extracting(DroppingProxy.Forwarded::idempotencyKey)
                    .containsOnly("\"" + submission.idempotencyKey() + "\"");
            assertThat(submission.replayed()).isTrue();
            assertThat(storedTasksWithInput(text)).isEqualTo(1);
            assertThat(alice.await(submission.task().taskId(), Duration.ofSeconds(60)).status()).isEqualTo(TaskStatus.COMPLETE);
        }
    }

    @Test
    void theSameKeyReplaysTheTaskAndAnotherBodyWithItIsRefused() {
        Submission first = alice.submit(SubmitRequest.builder("Define replay.").idempotencyKey("client-it-1").build());
        Submission again = alice.submit(SubmitRequest.builder("Define replay.").idempotencyKey("client-it-1").build());

        ProblemException reused = catchThrowableOfType(ProblemException.class,
                () -> alice.submit(SubmitRequest.builder("Something else.").idempotencyKey("client-it-1").build()));

        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(again.task().taskId()).isEqualTo(first.task().taskId());
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.slug()).isEqualTo("idempotency-key-reused");
        assertThat(reused.idempotencyKey()).hasValue("client-it-1");
    }

    @Test
    void problemsFromTheServiceArriveTyped() {
        ProblemException invalid = catchThrowableOfType(ProblemException.class,
                () -> alice.submit(SubmitRequest.builder(" ").maxTokens(0).build()));
        ProblemException missing = catchThrowableOfType(ProblemException.class, () -> alice.get("aaaaaaaaaaaaaaaaaaaaaaaaaa"));
        ProblemException unauthenticated;
        try (AgentTasksClient stranger = client(base, "stolen")) {
            unauthenticated = catchThrowableOfType(ProblemException.class, () -> stranger.get("aaaaaaaaaaaaaaaaaaaaaaaaaa"));
        }
        String alicesTask = alice.submit("What is a tenant?").task().taskId();
        ProblemException othersTask;
        try (AgentTasksClient bob = client(base, "bob-token")) {
            othersTask = catchThrowableOfType(ProblemException.class, () -> bob.get(alicesTask));
        }

        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.type()).isEqualTo("urn:agent-tasks:problem:validation-failed");
        assertThat(invalid.errors()).extracting(ProblemException.FieldError::pointer).containsExactlyInAnyOrder("/task", "/max_tokens");
        assertThat(missing.slug()).isEqualTo("task-not-found");
        assertThat(unauthenticated.status()).isEqualTo(401);
        assertThat(unauthenticated.slug()).isEqualTo("unauthenticated");
        assertThat(othersTask.slug()).isEqualTo("task-not-found");
    }

    /** Task items in the store whose input is {@code text} (TaskItems: kind "task", attribute "input"). */
    private static int storedTasksWithInput(String text) {
        URI endpoint = SharedMotoServer.get().endpoint();
        try (DynamoDbClient dynamoDb = LocalAws.dynamoDb(endpoint); SqsClient sqs = LocalAws.sqs(endpoint)) {
            String table = new LocalProvisioner(dynamoDb, sqs, "").provision(SamTemplate.load(SharedMotoServer.findTemplate()))
                    .table("TasksTable");
            return dynamoDb.scanPaginator(r -> r.tableName(table)
                            .filterExpression("#kind = :task AND #input = :text")
                            .expressionAttributeNames(Map.of("#kind", "kind", "#input", "input"))
                            .expressionAttributeValues(Map.of(":task", AttributeValue.fromS("task"),
                                    ":text", AttributeValue.fromS(text))))
                    .items().stream().mapToInt(item -> 1).sum();
        }
    }
}
