package dev.agenttasks.acceptance;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.domain.task.Callback;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.wiring.ServiceWiring;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@link ServiceFlow} and what it must leave behind, whatever stands in for AWS: the subclasses give the
 * environment (moto here, LocalStack where Docker runs). The assertions are the same for both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServiceFlowContract {

    private final WireMockServer provider = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private ServiceFlow.Outcome outcome;
    private DynamoDbTaskRepository tasks;

    /** The variables of a freshly provisioned AWS stand-in (tables, queues, endpoint, credentials). */
    abstract Map<String, String> awsEnvironment();

    @BeforeAll
    void runTheFlow() {
        provider.start();
        outcome = ServiceFlow.run(awsEnvironment(), provider);
        ServiceWiring reader = new ServiceWiring(outcome.config(), Clock.systemUTC());
        tasks = new DynamoDbTaskRepository(reader.aws().dynamoDb(), outcome.config().tasksTable());
    }

    @AfterAll
    void stopTheProvider() {
        provider.stop();
    }

    @Test
    void aKeyedSubmissionIsAcceptedOnceAndItsReplayAnswersTheSameTask() {
        assertThat(outcome.submitted().getStatusCode()).isEqualTo(202);
        assertThat(outcome.replayed().getStatusCode()).isEqualTo(200);
        assertThat(outcome.replayed().getHeaders()).containsEntry("Idempotent-Replayed", "true");
        assertThat(ServiceFlow.taskId(outcome.replayed())).isEqualTo(outcome.taskId());
    }

    @Test
    void theWorkerCompletesATaskWithTheProvidersAnswerAndHandsBackTheRateLimitedOne() {
        assertThat(outcome.workerResponse().getBatchItemFailures())
                .extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(outcome.rateLimitedMessageId());
        Task task = tasks.find(outcome.taskId()).orElseThrow();
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(task.result()).isEqualTo(ServiceFlow.RESULT);
        assertThat(task.attempts()).isEqualTo(1);
    }

    @Test
    void theOwnerReadsTheCompletedTask() {
        assertThat(outcome.status().getStatusCode()).isEqualTo(200);
        assertThat(outcome.status().getBody()).contains("\"status\":\"complete\"").contains(ServiceFlow.RESULT);
    }

    @Test
    void theOwnerListsAllThreeTasksAndCannotCancelAFinishedOne() {
        assertThat(outcome.listed().getStatusCode()).isEqualTo(200);
        assertThat(outcome.listed().getBody()).contains(outcome.taskId(), outcome.rateLimitedTaskId(),
                outcome.leftPendingTaskId());
        assertThat(outcome.cancelFinished().getStatusCode()).isEqualTo(409);
        assertThat(outcome.cancelFinished().getBody()).contains("task-not-cancellable");
    }

    @Test
    void theReconcilerResendsTheForgottenTaskAndFailsTheDeadLetteredOne() {
        assertThat(outcome.reconciled()).containsEntry("enqueued", 1).containsEntry("deadLettered", 1)
                .containsEntry("errors", 0);
        Task failed = tasks.find(outcome.rateLimitedTaskId()).orElseThrow();
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.error().code()).isEqualTo(dev.agenttasks.domain.task.FailureReason.DEAD_LETTERED.code());
        assertThat(tasks.find(outcome.leftPendingTaskId()).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);
        try (SqsClient sqs = ServiceFlow.testClient(SqsClient.builder(), outcome.config())) {
            assertThat(sqs.getQueueAttributes(b -> b.queueUrl(outcome.config().taskDlqUrl().orElseThrow())
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo("0");
        }
    }

    @Test
    void eachFinishedTasksReceiverGetsItsFinalViewAndAFailingReceiverIsRetried() {
        assertThat(outcome.cancelPending().getStatusCode()).isEqualTo(200);
        assertThat(outcome.cancelPending().getBody()).contains("\"status\":\"cancelled\"");
        assertThat(outcome.webhooks().getBatchItemFailures()).isEmpty();
        assertThat(tasks.find(outcome.taskId()).orElseThrow().callback())
                .isEqualTo(new Callback(Callback.Status.DELIVERED, 1, null, null));
        assertThat(tasks.find(outcome.cancelledTaskId()).orElseThrow().callback().status())
                .isEqualTo(Callback.Status.DELIVERED);
        List<LoggedRequest> delivered = provider.findAll(postRequestedFor(urlPathEqualTo(ServiceFlow.HOOK_OK)));
        assertThat(delivered).extracting(request -> request.getHeader("webhook-id")).containsExactlyInAnyOrder(
                "msg_" + outcome.taskId(), "msg_" + outcome.cancelledTaskId());
        assertThat(delivered).allSatisfy(request -> assertThat(request.getHeader("webhook-signature")).startsWith("v1,"));
        assertThat(delivered).anySatisfy(request -> assertThat(request.getBodyAsString())
                .contains("\"status\":\"complete\"", ServiceFlow.RESULT));

        assertThat(outcome.reconciled()).containsEntry("deadLettered", 1);
        assertThat(outcome.lateWebhooks().getBatchItemFailures()).hasSize(1);
        Callback failing = tasks.find(outcome.rateLimitedTaskId()).orElseThrow().callback();
        assertThat(failing.status()).isEqualTo(Callback.Status.PENDING);
        assertThat(failing.attempts()).isEqualTo(1);
        assertThat(failing.lastError()).isEqualTo("http_500");
        assertThat(provider.findAll(postRequestedFor(urlPathEqualTo(ServiceFlow.HOOK_FAILING)))).singleElement()
                .satisfies(request -> assertThat(request.getBodyAsString()).contains("\"code\":\"dead_lettered\""));
    }
}
