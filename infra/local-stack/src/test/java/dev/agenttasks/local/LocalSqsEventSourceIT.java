package dev.agenttasks.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
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
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The local SQS event source against moto, as Lambda's: an invocation past the function's Timeout is over; a batch is
 * gathered until it is full or its batching window has passed.
 */
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

    /**
     * One poller, so every message it receives goes into the batch it is gathering; the queue hides a received
     * message for longer than the window, as the template's does.
     */
    private void startOnePoller(int batchSize, int windowSeconds, List<Invocation> invocations) {
        sqs.setQueueAttributes(b -> b.queueUrl(queue.url()).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, String.valueOf(windowSeconds + 60))));
        LocalFunction<SQSEvent, SQSBatchResponse> recorder = new LocalFunction<>("Recorder",
                (SQSEvent event, com.amazonaws.services.lambda.runtime.Context context) -> {
                    invocations.add(new Invocation(System.nanoTime(),
                            event.getRecords().stream().map(SQSEvent.SQSMessage::getBody).toList()));
                    return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
                }, 30, 128);
        source = new LocalSqsEventSource(LocalAws.sqs(SharedMotoServer.get().endpoint()), queue,
                new SamTemplate.SqsEventSource("Queue", batchSize, windowSeconds, 2, true), recorder, LocalAws.REGION, 1);
        source.start();
    }

    /** When an invocation began (System.nanoTime) and its records' bodies. */
    private record Invocation(long startedNanos, List<String> bodies) {
    }

    private void send(String... bodies) {
        for (int i = 0; i < bodies.length; i += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int j = i; j < Math.min(bodies.length, i + 10); j++) {
                entries.add(SendMessageBatchRequestEntry.builder().id("m" + j).messageBody(bodies[j]).build());
            }
            assertThat(sqs.sendMessageBatch(b -> b.queueUrl(queue.url()).entries(entries)).failed()).isEmpty();
        }
    }

    private int messagesInFlight() {
        return Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(queue.url())
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
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

    @Test
    void recordsArrivingApartWithinTheBatchingWindowLandInOneInvocation() {
        List<Invocation> invocations = new CopyOnWriteArrayList<>();
        startOnePoller(10, 5, invocations);

        send("first");
        await().atMost(Duration.ofSeconds(5)).until(() -> messagesInFlight() == 1);   // the poller holds it
        send("second");

        await().atMost(Duration.ofSeconds(20)).until(() -> !invocations.isEmpty() && messagesOnTheQueue() == 0);
        assertThat(invocations).singleElement().satisfies(invocation ->
                assertThat(invocation.bodies()).containsExactlyInAnyOrder("first", "second"));
    }

    @Test
    void aLoneRecordIsDeliveredOnceTheBatchingWindowHasPassed() {
        List<Invocation> invocations = new CopyOnWriteArrayList<>();
        startOnePoller(10, 3, invocations);

        long sent = System.nanoTime();
        send("alone");

        await().atMost(Duration.ofSeconds(20)).until(() -> !invocations.isEmpty() && messagesOnTheQueue() == 0);
        assertThat(invocations).singleElement().satisfies(invocation -> {
            assertThat(invocation.bodies()).containsExactly("alone");
            assertThat(Duration.ofNanos(invocation.startedNanos() - sent)).as("not before the window's end")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        });
    }

    @Test
    void aFullBatchIsDeliveredWithoutWaitingForTheWindow() {
        List<Invocation> invocations = new CopyOnWriteArrayList<>();
        startOnePoller(3, 60, invocations);

        send("a", "b", "c");

        await().atMost(Duration.ofSeconds(30)).until(() -> !invocations.isEmpty() && messagesOnTheQueue() == 0);
        assertThat(invocations).singleElement().satisfies(invocation ->
                assertThat(invocation.bodies()).containsExactlyInAnyOrder("a", "b", "c"));
    }

    @Test
    void aBatchOfMoreThanTenRecordsIsGatheredAndDeletedInChunksOfTen() {
        List<Invocation> invocations = new CopyOnWriteArrayList<>();
        startOnePoller(15, 60, invocations);
        String[] bodies = java.util.stream.IntStream.range(0, 15).mapToObj(i -> "record-" + i).toArray(String[]::new);

        send(bodies);

        await().atMost(Duration.ofSeconds(30)).until(() -> !invocations.isEmpty() && messagesOnTheQueue() == 0);
        assertThat(invocations).singleElement().satisfies(invocation ->
                assertThat(invocation.bodies()).containsExactlyInAnyOrder(bodies));
    }
}
