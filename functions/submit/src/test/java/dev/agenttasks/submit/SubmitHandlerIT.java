package dev.agenttasks.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.testkit.LambdaEvents;
import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.testkit.TestContext;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** SubmitFunction's handler fed events/submit-task*.json, against moto. */
class SubmitHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALLER_ROLE = "iam:arn:aws:sts::123456789012:assumed-role/agent-tasks-caller|AROAXMPLEXAMPLEROLE1";

    private ServiceWiring wiring;
    private SubmitHandler handler;
    private DynamoDbTaskRepository tasks;
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;

    @BeforeEach
    void setUp() {
        wiring = new ServiceWiring(Config.of(MotoEnvironment.fresh()), Clock.systemUTC());
        handler = new SubmitHandler(wiring);
        dynamoDb = wiring.aws().dynamoDb();
        sqs = wiring.aws().build(SqsClient.builder());   // the test's own: the handler's is built in its constructor
        tasks = new DynamoDbTaskRepository(dynamoDb, wiring.config().tasksTable());
    }

    @AfterEach
    void tearDown() {
        dynamoDb.close();
        sqs.close();
    }

    private APIGatewayV2HTTPResponse invoke(APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(event, TestContext.withTimeout(30_000));
    }

    private List<String> queuedTaskIds() {
        List<String> ids = new ArrayList<>();
        List<Message> batch;
        do {
            batch = sqs.receiveMessage(b -> b.queueUrl(wiring.config().taskQueueUrl())
                    .maxNumberOfMessages(10).visibilityTimeout(60)).messages();
            batch.forEach(m -> ids.add(TaskMessages.taskId(m.body()).orElseThrow()));
        } while (!batch.isEmpty());
        return ids;
    }

    private long storedItems() {
        return dynamoDb.scan(b -> b.tableName(wiring.config().tasksTable())).count();
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        return JSON.readTree(response.getBody());
    }

    @Test
    void aSubmissionAnswers202WithLocationStoresAPendingTaskAndEnqueuesItOnce() throws Exception {
        APIGatewayV2HTTPResponse response = invoke(LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class));

        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json");
        String id = body(response).get("task_id").asText();
        assertThat(TaskIds.isWellFormed(id)).isTrue();
        assertThat(body(response).get("status").asText()).isEqualTo("pending");
        assertThat(response.getHeaders()).containsEntry("Location", "/tasks/" + id);
        assertThat(response.getIsBase64Encoded()).isFalse();

        Task stored = tasks.find(id).orElseThrow();
        assertThat(stored.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(stored.owner()).isEqualTo(CALLER_ROLE);
        assertThat(stored.input()).isEqualTo("What is Amazon SQS?");
        assertThat(queuedTaskIds()).containsExactly(id);
    }

    @Test
    void aSubmissionWhoseSendFailsStillAnswers202AndLeavesItsTaskDueAtOnce() throws Exception {
        Map<String, String> environment = new HashMap<>(MotoEnvironment.fresh());
        environment.put("TASK_QUEUE_URL", environment.get("TASK_QUEUE_URL") + "-that-does-not-exist");
        SubmitHandler failingSends = new SubmitHandler(new ServiceWiring(Config.of(environment), Clock.systemUTC()));
        tasks = new DynamoDbTaskRepository(dynamoDb, environment.get("TASKS_TABLE"));

        APIGatewayV2HTTPResponse response = failingSends.handleRequest(
                LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class), TestContext.withTimeout(30_000));

        assertThat(response.getStatusCode()).isEqualTo(202);
        String id = body(response).get("task_id").asText();
        assertThat(tasks.find(id).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);
        assertThat(tasks.findDue(Instant.now(), 10)).as("the reconciler's next run sends it")
                .extracting(due -> due.taskId()).containsExactly(id);
    }

    @Test
    void aRetriedSubmissionWithTheSameIdempotencyKeyReplaysTheSameTask() throws Exception {
        String first = body(invoke(LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class)))
                .get("task_id").asText();

        APIGatewayV2HTTPResponse retry = invoke(LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class));

        assertThat(retry.getStatusCode()).isEqualTo(200);
        assertThat(retry.getHeaders()).containsEntry("Idempotent-Replayed", "true")
                .containsEntry("Location", "/tasks/" + first);
        assertThat(body(retry).get("task_id").asText()).isEqualTo(first);
        assertThat(queuedTaskIds()).containsExactly(first);
    }

    @Test
    void concurrentSubmissionsOfOneKeyMakeOneTaskAndOneMessageAndRefuseAnotherBody() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<APIGatewayV2HTTPResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class);
                if (i % 2 == 1) {
                    event.setBody("{\"task\":\"What is Amazon SNS?\"}");
                }
                calls.add(pool.submit(() -> {
                    start.await();
                    return invoke(event);
                }));
            }
            start.countDown();
            List<APIGatewayV2HTTPResponse> responses = new ArrayList<>();
            for (Future<APIGatewayV2HTTPResponse> call : calls) {
                responses.add(call.get());
            }

            assertThat(responses).extracting(APIGatewayV2HTTPResponse::getStatusCode)
                    .containsOnly(202, 200, 422).filteredOn(code -> code == 202).hasSize(1);
            assertThat(responses.stream().filter(r -> r.getStatusCode() == 422)).hasSize(4);
            Set<String> ids = new HashSet<>();
            for (APIGatewayV2HTTPResponse response : responses) {
                if (response.getStatusCode() != 422) {
                    ids.add(body(response).get("task_id").asText());
                }
            }
            assertThat(ids).hasSize(1);
            String id = ids.iterator().next();
            assertThat(storedItems()).as("the task alone: its item holds the key's binding").isEqualTo(1);
            assertThat(queuedTaskIds()).containsExactly(id);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSubmissionThatWaitsReadsItsTaskAgainAndAnswers202WhenNoWorkerFinishesItInTime() throws Exception {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class);
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        headers.put("prefer", "wait=1");
        event.setHeaders(headers);

        APIGatewayV2HTTPResponse response = invoke(event);

        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(response.getHeaders()).containsEntry("Preference-Applied", "wait=1");
        assertThat(body(response).get("status").asText()).isEqualTo("pending");
        assertThat(queuedTaskIds()).containsExactly(body(response).get("task_id").asText());
    }

    @Test
    void anotherSessionNameOfTheSameRoleIsTheSameCallerAndReplaysItsKey() throws Exception {
        String first = body(invoke(LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class)))
                .get("task_id").asText();

        APIGatewayV2HTTPResponse otherSession = invoke(LambdaEvents.load("submit-task-other-session.json",
                APIGatewayV2HTTPEvent.class));

        assertThat(otherSession.getStatusCode()).isEqualTo(200);
        assertThat(body(otherSession).get("task_id").asText()).isEqualTo(first);
        assertThat(queuedTaskIds()).containsExactly(first);
    }

    @Test
    void aCognitoIdentityKeepsItsTasksAcrossCredentialsAndSharesNothingWithAnotherIdentityOfItsRole() throws Exception {
        APIGatewayV2HTTPResponse first = invoke(LambdaEvents.load("submit-task-cognito.json", APIGatewayV2HTTPEvent.class));
        APIGatewayV2HTTPResponse refreshed = invoke(LambdaEvents.load("submit-task-cognito-refreshed.json",
                APIGatewayV2HTTPEvent.class));
        APIGatewayV2HTTPResponse otherIdentity = invoke(LambdaEvents.load("submit-task-cognito-other-identity.json",
                APIGatewayV2HTTPEvent.class));

        String aliceTask = body(first).get("task_id").asText();
        assertThat(first.getStatusCode()).isEqualTo(202);
        assertThat(refreshed.getStatusCode()).as("the same key from the identity's refreshed credentials replays")
                .isEqualTo(200);
        assertThat(body(refreshed).get("task_id").asText()).isEqualTo(aliceTask);
        assertThat(otherIdentity.getStatusCode()).as("the same key from another identity is its own").isEqualTo(202);
        String bobTask = body(otherIdentity).get("task_id").asText();
        assertThat(bobTask).isNotEqualTo(aliceTask);
        assertThat(tasks.find(aliceTask).orElseThrow().owner())
                .isEqualTo("cognito:us-east-1:0b7e2d6a-3c1f-4a5e-9d8b-7c6f5e4d3a2b|us-east-1:5d2c8f1e-7a3b-4c9d-8e6f-1a2b3c4d5e6f");
        assertThat(tasks.find(bobTask).orElseThrow().owner())
                .isEqualTo("cognito:us-east-1:0b7e2d6a-3c1f-4a5e-9d8b-7c6f5e4d3a2b|us-east-1:9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b");
        assertThat(queuedTaskIds()).containsExactlyInAnyOrder(aliceTask, bobTask);
    }

    @Test
    void aJwtCallerOwnsTheTaskByIssuerAndSubject() throws Exception {
        APIGatewayV2HTTPResponse response = invoke(LambdaEvents.load("submit-task-jwt.json", APIGatewayV2HTTPEvent.class));

        assertThat(response.getStatusCode()).isEqualTo(202);
        Task stored = tasks.find(body(response).get("task_id").asText()).orElseThrow();
        assertThat(stored.owner()).isEqualTo(
                "jwt:https://cognito-idp.us-east-1.amazonaws.com/us-east-1_xmplPool1|7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
    void anotherMethodOnTasksIs405WithAllowPostAndCreatesNothing(String method) throws Exception {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class);
        event.getRequestContext().getHttp().setMethod(method);

        APIGatewayV2HTTPResponse response = invoke(event);

        assertThat(response.getStatusCode()).isEqualTo(405);
        assertThat(response.getHeaders()).containsEntry("Allow", "POST")
                .containsEntry("Content-Type", "application/problem+json");
        assertThat(body(response).get("type").asText()).isEqualTo("urn:agent-tasks:problem:method-not-allowed");
        assertThat(body(response).get("status").asInt()).isEqualTo(405);
        assertThat(storedItems()).isZero();
        assertThat(queuedTaskIds()).isEmpty();
    }

    @Test
    void aRouteThisFunctionDoesNotServeIs404ProblemJson() throws Exception {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class);
        event.setRouteKey("$default");
        event.getRequestContext().setRouteKey("$default");
        event.setRawPath("/task");
        event.getRequestContext().getHttp().setPath("/task");

        APIGatewayV2HTTPResponse response = invoke(event);

        assertThat(response.getStatusCode()).isEqualTo(404);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(body(response).get("type").asText()).isEqualTo("urn:agent-tasks:problem:not-found");
        assertThat(body(response).get("instance").asText()).isEqualTo("/task");
        assertThat(storedItems()).isZero();
    }

    @Test
    void withoutAnAuthorizerContextTheRequestIs401AndNothingIsStored() throws Exception {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class);
        event.getRequestContext().setAuthorizer(null);

        APIGatewayV2HTTPResponse response = invoke(event);

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(body(response).get("type").asText()).isEqualTo("urn:agent-tasks:problem:unauthenticated");
        assertThat(storedItems()).isZero();
        assertThat(queuedTaskIds()).isEmpty();
    }
}
