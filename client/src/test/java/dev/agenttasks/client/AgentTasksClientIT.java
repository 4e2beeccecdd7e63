package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

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
 * provider) over real sockets, including a connection that dies after the server accepted a submit. Cancel and
 * the server's pacing are in {@link CancelAndPollingIT}, webhooks in {@link WebhookDeliveryIT}.
 */
class AgentTasksClientIT {

    private static AgentTasksLocal stack;
    private static URI base;
    private static AgentTasksClient alice;

    @BeforeAll
    static void start() {
        Map<String, String> env = StandInStack.environment("alice-token=alice,bob-token=bob,dave-token=dave,erin-token=erin");
        env.put("SIMULATED_LATENCY_MS", "20");
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
    void aSubmitWithEveryOptionIsAcceptedAndTheTaskShowsThem() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(WebhookVerifier.of(alice.webhookSecret()), 204)) {
            SubmitRequest request = SubmitRequest.builder("Summarise RFC 9457.").system("Be terse.")
                    .messages(List.of(SubmitRequest.Message.user("hi"), SubmitRequest.Message.assistant("hello")))
                    .tier("simple").maxTokens(64).maxTotalTokens(4096).callbackUrl(receiver.url()).build();

            Submission submission = alice.submit(request);
            TaskView done = alice.await(submission.task().taskId(), Duration.ofSeconds(60));

            assertThat(submission.task().status()).isEqualTo(TaskStatus.PENDING);
            assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
            assertThat(done.tier()).hasValue("simple");
            assertThat(done.routing()).hasValueSatisfying(routing -> {
                assertThat(routing.tier()).isEqualTo("simple");
                assertThat(routing.reasonCode()).isEqualTo("tier_hint");
                assertThat(routing.reason()).isNotBlank();
            });
            assertThat(done.maxTotalTokens()).hasValue(4096L);
            assertThat(done.callback()).hasValueSatisfying(callback -> assertThat(callback.url()).isEqualTo(receiver.url().toString()));
            assertThat(done.model()).hasValue("llama-3.1-8b-instant");
            assertThat(done.result()).hasValueSatisfying(result -> assertThat(result).contains("Summarise RFC 9457."));
            assertThat(done.usage()).hasValueSatisfying(usage -> assertThat(usage.outputTokens()).isBetween(1L, 64L));
            assertThat(done.tokensSpent()).isPresent();
            assertThat(done.costUsd()).hasValueSatisfying(cost -> assertThat(cost).isPositive());
            assertThat(done.durationMs()).isPresent();
            assertThat(done.attempts()).isEqualTo(1);
            assertThat(done.degraded()).isFalse();
            assertThat(done.createdAt()).isPresent();
            assertThat(done.updatedAt()).hasValueSatisfying(updated -> assertThat(updated).isAfterOrEqualTo(done.createdAt().get()));
            assertThat(done.error()).isEmpty();
        }
    }

    @Test
    void preferWaitOnASubmitAnswersWithTheFinishedTaskInThePostItself() throws Exception {
        try (DroppingProxy proxy = new DroppingProxy(base, 0); AgentTasksClient throughProxy = client(proxy.url(), "alice-token")) {

            Submission submission = throughProxy.submit(SubmitRequest.builder("What is a queue?")
                    .waitUpTo(Duration.ofSeconds(5)).build());

            assertThat(submission.replayed()).isFalse();
            assertThat(submission.task().status()).isEqualTo(TaskStatus.COMPLETE);
            assertThat(submission.task().result()).isPresent();
            assertThat(proxy.forwarded()).singleElement().satisfies(post -> {
                assertThat(post.requestLine()).isEqualTo("POST /tasks HTTP/1.1");
                assertThat(post.header("Prefer")).isEqualTo("wait=5");
                assertThat(post.status()).isEqualTo(200);
                assertThat(CancelAndPollingIT.responseHeader(post, "preference-applied")).isEqualTo("wait=5");
            });
        }
    }

    @Test
    void listingFollowsCursorsAcrossPagesNewestFirstAndShowsOnlyTheCallersTasks() throws Exception {
        List<String> davesFailing = new ArrayList<>();
        Set<String> daves = new HashSet<>();
        Set<String> erins = new HashSet<>();
        try (AgentTasksClient dave = client(base, "dave-token"); AgentTasksClient erin = client(base, "erin-token")) {
            for (int i = 0; i < 12; i++) {
                String id = dave.submit("What is item " + i + "?" + (i % 4 == 0 ? " [fail-permanently]" : "")).task().taskId();
                daves.add(id);
                if (i % 4 == 0) {
                    davesFailing.add(id);
                }
                erins.add(erin.submit("What is Erin's item " + i + "?").task().taskId());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> dave.stream(ListRequest.all().withLimit(100))
                    .allMatch(task -> task.status().isTerminal()) && dave.stream(ListRequest.all()).count() == 12);

            List<TaskPage> pages = dave.pages(ListRequest.all().withLimit(5)).toList();
            List<TaskView> listed = pages.stream().flatMap(page -> page.tasks().stream()).toList();
            List<String> failed = dave.stream(ListRequest.all().withStatus(TaskStatus.FAILED).withLimit(100))
                    .map(TaskView::taskId).toList();
            TaskPage first = pages.get(0);
            String cursor = first.nextCursor().orElseThrow();
            String forged = cursor.substring(0, 10) + (cursor.charAt(10) == 'A' ? 'B' : 'A') + cursor.substring(11);
            ProblemException tampered = catchThrowableOfType(ProblemException.class,
                    () -> dave.list(ListRequest.all().withLimit(5).withCursor(forged)));
            ProblemException borrowed = catchThrowableOfType(ProblemException.class,
                    () -> erin.list(ListRequest.all().withLimit(5).withCursor(cursor)));
            ProblemException otherStatus = catchThrowableOfType(ProblemException.class,
                    () -> dave.list(ListRequest.all().withStatus(TaskStatus.COMPLETE).withLimit(5).withCursor(cursor)));
            Set<String> erinSees = erin.stream(ListRequest.all().withLimit(7)).map(TaskView::taskId).collect(Collectors.toSet());

            assertThat(pages).extracting(page -> page.tasks().size()).containsExactly(5, 5, 2);
            assertThat(pages.get(2).nextCursor()).isEmpty();
            assertThat(listed).extracting(TaskView::taskId).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(daves);
            assertThat(listed).extracting(task -> task.createdAt().orElseThrow())
                    .isSortedAccordingTo(Comparator.reverseOrder());
            assertThat(failed).containsExactlyInAnyOrderElementsOf(davesFailing);
            assertThat(erinSees).isEqualTo(erins);
            for (ProblemException refused : List.of(tampered, borrowed, otherStatus)) {
                assertThat(refused.status()).isEqualTo(400);
                assertThat(refused.slug()).isEqualTo("invalid-query");
            }
        }
    }

    @Test
    void aStreamFetchesOnlyThePagesItsConsumerReads() throws Exception {
        for (int i = 0; i < 6; i++) {
            alice.submit("What is page item " + i + "?");
        }
        try (DroppingProxy proxy = new DroppingProxy(base, 0); AgentTasksClient throughProxy = client(proxy.url(), "alice-token")) {

            List<TaskView> firstThree = throughProxy.stream(ListRequest.all().withLimit(3)).limit(3).toList();
            int afterOnePage = proxy.forwarded().size();
            List<TaskView> firstFive = throughProxy.stream(ListRequest.all().withLimit(3)).limit(5).toList();

            assertThat(firstThree).hasSize(3);
            assertThat(afterOnePage).isEqualTo(1);
            assertThat(firstFive).hasSize(5);
            assertThat(proxy.forwarded()).hasSize(3);
            assertThat(proxy.forwarded().get(2).requestLine()).startsWith("GET /tasks?limit=3&cursor=");
        }
    }

    @Test
    void anIdThatIsNotATaskIdStaysInItsPathSegmentAndIsNotFound() {
        for (String odd : List.of("../health", "../health?x=1", "a/b", "%2e%2e", "x y")) {
            ProblemException get = catchThrowableOfType(ProblemException.class, () -> alice.get(odd));
            ProblemException cancel = catchThrowableOfType(ProblemException.class, () -> alice.cancel(odd));

            // "/" is sent as %2F: the local stack's router answers "no such route" for it, not /health's 200
            assertThat(get.status()).as(odd).isEqualTo(404);
            assertThat(get.slug()).as(odd).isIn("task-not-found", "not-found");
            // a POST the cancel route did not take (an id with "/") is a 404 too, never a route to another resource
            assertThat(cancel.status()).as(odd).isEqualTo(404);
            assertThat(cancel.slug()).as(odd).isIn("task-not-found", "not-found");
        }
    }

    @Test
    void anAsyncAwaitCompletesWithTheOutcomeOrTheError() throws Exception {
        String id = alice.submit("What is a promise?").task().taskId();

        CompletableFuture<TaskView> done = alice.awaitAsync(id, Duration.ofSeconds(60));
        CompletableFuture<TaskView> missing = alice.awaitAsync("aaaaaaaaaaaaaaaaaaaaaaaaaa", Duration.ofSeconds(60));

        assertThat(done.get(60, TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.COMPLETE);
        assertThatThrownBy(() -> missing.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ProblemException.class);
    }

    @Test
    void theSameKeyReplaysTheTaskAndAnotherBodyWithItIsRefused() {
        Submission first = alice.submit(SubmitRequest.builder("Define replay.").idempotencyKey("client-it-1").build());
        Submission again = alice.submit(SubmitRequest.builder("Define replay.").idempotencyKey("client-it-1").build());

        ProblemException reused = catchThrowableOfType(ProblemException.class,
                () -> alice.submit(SubmitRequest.builder("Something else.").idempotencyKey("client-it-1").build()));

        Submission unkeyed = alice.submit("Define replay.");
        Submission unkeyedAgain = alice.submit("Define replay.");

        assertThat(first.replayed()).isFalse();
        assertThat(first.idempotencyKey()).isEqualTo("client-it-1");
        assertThat(unkeyed.idempotencyKey()).isNotEqualTo(unkeyedAgain.idempotencyKey());
        assertThat(unkeyed.task().taskId()).isNotEqualTo(unkeyedAgain.task().taskId()).isNotEqualTo(first.task().taskId());
        assertThat(again.replayed()).isTrue();
        assertThat(again.task().taskId()).isEqualTo(first.task().taskId());
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.slug()).isEqualTo("idempotency-key-reused");
        assertThat(reused.idempotencyKey()).hasValue("client-it-1");
    }

    @Test
    void problemsFromTheServiceArriveTypedAndA4xxIsNeverRetried() throws Exception {
        ProblemException invalid = catchThrowableOfType(ProblemException.class,
                () -> alice.submit(SubmitRequest.builder(" ").maxTokens(0).build()));
        ProblemException missing = catchThrowableOfType(ProblemException.class, () -> alice.get("aaaaaaaaaaaaaaaaaaaaaaaaaa"));
        ProblemException unauthenticated;
        ProblemException unauthenticatedCancel;
        try (AgentTasksClient stranger = client(base, "stolen")) {
            unauthenticated = catchThrowableOfType(ProblemException.class, () -> stranger.get("aaaaaaaaaaaaaaaaaaaaaaaaaa"));
            unauthenticatedCancel = catchThrowableOfType(ProblemException.class, () -> stranger.cancel("aaaaaaaaaaaaaaaaaaaaaaaaaa"));
        }
        ProblemException refusedOnce;
        int posts;
        try (DroppingProxy proxy = new DroppingProxy(base, 0); AgentTasksClient throughProxy = client(proxy.url(), "alice-token")) {
            refusedOnce = catchThrowableOfType(ProblemException.class, () -> throughProxy.submit(" "));
            posts = proxy.forwarded().size();
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
        assertThat(unauthenticatedCancel.slug()).isEqualTo("unauthenticated");
        assertThat(refusedOnce.status()).isEqualTo(422);
        assertThat(refusedOnce.errors()).containsExactly(new ProblemException.FieldError("/task", "must not be blank"));
        assertThat(refusedOnce.idempotencyKey()).isPresent();
        assertThat(posts).as("a 4xx is never retried").isEqualTo(1);
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
