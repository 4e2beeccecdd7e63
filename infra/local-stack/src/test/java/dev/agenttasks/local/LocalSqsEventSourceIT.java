package dev.agenttasks.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.agenttasks.localaws.LocalAws;
import dev.agenttasks.localaws.LocalResources;
import dev.agenttasks.localaws.SamTemplate;
import dev.agenttasks.localaws.SharedMotoServer;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The local SQS event source against moto: an invocation past the function's Timeout is over, as in Lambda. */
class LocalSqsEventSourceIT {

    private static final int FUNCTION_TIMEOUT_SECONDS = 1;
    private static final int VISIBILITY_TIMEOUT_SECONDS = 2;

    private SqsClient sqs;
    private LocalResources.Queue queue;
    private LocalSqsEventSource source;

    @BeforeEach
    void createQueue() {
        sqs = LocalAws.sqs(SharedMotoServer.get().endpoint());
        String name = "timeout-" + UUID.randomUUID();
        String url = sqs.createQueue(b -> b.queueName(name).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, String.valueOf(VISIBILITY_TIMEOUT_SECONDS)))).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        queue = new LocalResources.Queue(name, url, arn, VISIBILITY_TIMEOUT_SECONDS);
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        sqs.deleteQueue(b -> b.queueUrl(queue.url()));
        sqs.close();
    }

    private void start(LocalFunction<SQSEvent, SQSBatchResponse> function) {
        source = new LocalSqsEventSource(LocalAws.sqs(SharedMotoServer.get().endpoint()), queue,
                new SamTemplate.SqsEventSource("Queue", 1, 0, 2, true), function, LocalAws.REGION);
        source.start();
    }

    private int messagesOnTheQueue() {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queue.url()).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void anInvocationPastTheTimeoutIsInterruptedItsResultIgnoredAndItsBatchRedelivered() {
        List<String> receiveCounts = new CopyOnWriteArrayList<>();
        AtomicBoolean firstWasInterrupted = new AtomicBoolean();
        AtomicBoolean firstReturnedLate = new AtomicBoolean();
        start(new LocalFunction<>("SlowFunction", (SQSEvent event, com.amazonaws.services.lambda.runtime.Context context) -> {
            String count = event.getRecords().get(0).getAttributes().get("ApproximateReceiveCount");
            receiveCounts.add(count);
            if (count.equals("1")) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    firstWasInterrupted.set(true);
                }
                // A result after the timeout, which would delete the message if anyone took it.
                firstReturnedLate.set(true);
                return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
            }
            return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
        }, FUNCTION_TIMEOUT_SECONDS, 128));

        sqs.sendMessage(b -> b.queueUrl(queue.url()).messageBody("{\"taskId\":\"slow\"}"));

        await().atMost(Duration.ofSeconds(FUNCTION_TIMEOUT_SECONDS + 4)).untilTrue(firstWasInterrupted);
        assertThat(firstReturnedLate).isTrue();
        await().atMost(Duration.ofSeconds(VISIBILITY_TIMEOUT_SECONDS + 8)).until(() -> receiveCounts.contains("2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> messagesOnTheQueue() == 0);
        assertThat(receiveCounts).containsExactly("1", "2");
    }

    @Test
    void anInvocationWithinTheTimeoutHasItsBatchDeleted() {
        List<String> receiveCounts = new CopyOnWriteArrayList<>();
        start(new LocalFunction<>("QuickFunction", (SQSEvent event, com.amazonaws.services.lambda.runtime.Context context) -> {
            receiveCounts.add(event.getRecords().get(0).getAttributes().get("ApproximateReceiveCount"));
            assertThat(context.getRemainingTimeInMillis()).isBetween(1, FUNCTION_TIMEOUT_SECONDS * 1000);
            return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
        }, FUNCTION_TIMEOUT_SECONDS, 128));

        sqs.sendMessage(b -> b.queueUrl(queue.url()).messageBody("{\"taskId\":\"quick\"}"));

        await().atMost(Duration.ofSeconds(10)).until(() -> !receiveCounts.isEmpty() && messagesOnTheQueue() == 0);
        assertThat(receiveCounts).containsExactly("1");
    }
}
