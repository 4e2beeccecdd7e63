package dev.agenttasks.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.submit.SubmitHandler;
import dev.agenttasks.testkit.LambdaEvents;
import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.testkit.TestContext;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * WorkerFunction's handler fed events/sqs-batch.json against moto with the simulated provider. The first
 * record carries a task submitted through SubmitHandler; the second the sample's never-stored id.
 */
class WorkerHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WORKER_TIMEOUT_MILLIS = 120_000;

    private Map<String, String> env;
    private ServiceWiring wiring;
    private DynamoDbTaskRepository tasks;
    private String taskId;

    @BeforeEach
    void setUp() throws Exception {
        env = MotoEnvironment.fresh();
        wiring = new ServiceWiring(Config.of(env), Clock.systemUTC());
        tasks = new DynamoDbTaskRepository(wiring.aws().dynamoDb(), wiring.config().tasksTable());
        APIGatewayV2HTTPResponse submitted = new SubmitHandler(wiring).handleRequest(
                LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class), TestContext.withTimeout(30_000));
        assertThat(submitted.getStatusCode()).isEqualTo(202);
        taskId = JSON.readTree(submitted.getBody()).get("task_id").asText();
    }

    /** The sample batch with its first record pointing at the submitted task, plus a poison message. */
    private SQSEvent batch() {
        SQSEvent event = LambdaEvents.load("sqs-batch.json", SQSEvent.class);
        List<SQSEvent.SQSMessage> records = new ArrayList<>(event.getRecords());
        records.get(0).setBody(TaskMessages.body(taskId));
        SQSEvent.SQSMessage poison = LambdaEvents.load("sqs-batch.json", SQSEvent.class).getRecords().get(1);
        poison.setMessageId("0d5c2a8e-poison-4b7f-9a1e-3c6d8f0b2e4a");
        poison.setBody("this is not a task message");
        records.add(poison);
        event.setRecords(records);
        return event;
    }

    @Test
    void aBatchCompletesItsTaskAndAcknowledgesUnknownAndPoisonMessages() {
        SQSEvent event = batch();
        String unknownId = TaskMessages.taskId(event.getRecords().get(1).getBody()).orElseThrow();

        SQSBatchResponse response = new WorkerHandler(wiring)
                .handleRequest(event, TestContext.withTimeout(WORKER_TIMEOUT_MILLIS));

        assertThat(response.getBatchItemFailures()).isEmpty();
        Task task = tasks.find(taskId).orElseThrow();
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(task.model()).as("the built-in simple tier's model").isEqualTo("llama-3.1-8b-instant");
        assertThat(task.result()).startsWith("[simulated");
        assertThat(task.costUsd()).isNotNull().isPositive();
        assertThat(task.usage()).isNotNull();
        assertThat(task.attempts()).isEqualTo(1);
        assertThat(tasks.find(unknownId)).as("an unknown id is not created by the worker").isEmpty();
    }

    @Test
    void aRedeliveredMessageForACompletedTaskIsAcknowledgedWithoutRunningItAgain() {
        WorkerHandler handler = new WorkerHandler(wiring);
        handler.handleRequest(batch(), TestContext.withTimeout(WORKER_TIMEOUT_MILLIS));
        Task first = tasks.find(taskId).orElseThrow();

        SQSBatchResponse again = handler.handleRequest(batch(), TestContext.withTimeout(WORKER_TIMEOUT_MILLIS));

        assertThat(again.getBatchItemFailures()).isEmpty();
        Task after = tasks.find(taskId).orElseThrow();
        assertThat(after.attempts()).isEqualTo(first.attempts());
        assertThat(after.updatedAt()).isEqualTo(first.updatedAt());
    }

    @Test
    void recordsAreHandedBackUnstartedWhenTooLittleTimeIsLeft() {
        SQSEvent event = batch();
        long tooLittle = WorkerHandler.MIN_TIME_TO_START.toMillis() - 1;

        SQSBatchResponse response = new WorkerHandler(wiring).handleRequest(event, TestContext.withTimeout(tooLittle));

        assertThat(response.getBatchItemFailures())
                .extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactlyElementsOf(event.getRecords().stream().map(SQSEvent.SQSMessage::getMessageId).toList());
        Task task = tasks.find(taskId).orElseThrow();
        assertThat(task.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(task.attempts()).as("not claimed, so no attempt counted").isZero();
        assertThat(task.leaseOwner()).isNull();
    }

    @Test
    void aMessageThatMeetsAnUnexpectedErrorComesBackInSecondsNotAfterTheVisibilityTimeout() {
        SqsClient sqs = wiring.aws().build(SqsClient.builder());   // the test's own, not the handler's
        String queue = wiring.config().taskQueueUrl();
        Message sent = receive(sqs, queue).orElseThrow(() -> new AssertionError("the submission's message"));
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(sent.messageId());
        record.setReceiptHandle(sent.receiptHandle());
        record.setBody(sent.body());
        record.setAttributes(Map.of("ApproximateReceiveCount", sent.attributesAsStrings().get("ApproximateReceiveCount")));
        Map<String, String> broken = new HashMap<>(env);
        broken.put("TASKS_TABLE", "no-such-table");   // every read and write of the task fails

        SQSBatchResponse response = new WorkerHandler(new ServiceWiring(Config.of(broken), Clock.systemUTC()))
                .handleRequest(singleRecord(record), TestContext.withTimeout(WORKER_TIMEOUT_MILLIS));

        assertThat(response.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(sent.messageId());
        assertThat(receive(sqs, queue)).as("not back at once").isEmpty();
        // TaskQueue's visibility timeout is 720 s; the first error delay is 5 s.
        Message again = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> receive(sqs, queue), Optional::isPresent).orElseThrow();
        assertThat(again.messageId()).isEqualTo(sent.messageId());
        assertThat(tasks.find(taskId).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);
    }

    @Test
    void theDelayAfterAnErrorDoublesWithEachReceiveUpToTheVisibilityTimeout() {
        assertThat(List.of("1", "2", "3", "8", "9", "25", "not a number").stream().map(count -> {
            SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
            message.setAttributes(Map.of("ApproximateReceiveCount", count));
            return WorkerHandler.delayAfterError(message).toSeconds();
        }).toList()).containsExactly(5L, 10L, 20L, 640L, 720L, 720L, 5L);
    }

    private static SQSEvent singleRecord(SQSEvent.SQSMessage record) {
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(record));
        return event;
    }

    private static Optional<Message> receive(SqsClient sqs, String queue) {
        return sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(1).waitTimeSeconds(0)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages().stream().findFirst();
    }
}
