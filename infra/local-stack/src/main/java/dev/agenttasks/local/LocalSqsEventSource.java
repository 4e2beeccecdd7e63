package dev.agenttasks.local;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.agenttasks.localaws.LocalResources;
import dev.agenttasks.localaws.SamTemplate.SqsEventSource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Polls a queue and invokes a function the way Lambda's SQS event source mapping does: batches of up to
 * BatchSize, gathered for up to MaximumBatchingWindowInSeconds, at most MaximumConcurrency invocations at once,
 * and with ReportBatchItemFailures only the reported messages stay on the queue (a malformed report or an error
 * keeps the whole batch). An invocation that runs past the function's Timeout is over
 * ({@link LocalFunction#invoke}): its handler is interrupted, its result ignored, and its whole batch comes back
 * after the visibility timeout. Each invocation logs a {@code REPORT} line (records, duration, memory), as Lambda
 * does.
 */
final class LocalSqsEventSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSqsEventSource.class);
    private static final int LONG_POLL_SECONDS = 1;
    /** SQS's most messages per ReceiveMessage and per DeleteMessageBatch. */
    private static final int SQS_BATCH_LIMIT = 10;
    /** Between the short polls of a batching window's last fraction of a second. */
    private static final long SHORT_POLL_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final int MAX_LOCAL_CONCURRENCY = 50;
    /** Like Lambda's pollers, a few receive (and gather batches) for many concurrent invocations. */
    static final int MAX_POLLERS = 3;

    private final SqsClient sqs;
    private final LocalResources.Queue queue;
    private final SqsEventSource mapping;
    private final LocalFunction<SQSEvent, SQSBatchResponse> function;
    private final String region;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService pollers;
    private final ExecutorService invocations;
    /** One permit per concurrent invocation; a poller takes one before it receives. */
    private final Semaphore capacity;
    private final int pollerCount;

    LocalSqsEventSource(SqsClient sqs, LocalResources.Queue queue, SqsEventSource mapping,
                        LocalFunction<SQSEvent, SQSBatchResponse> function, String region) {
        this(sqs, queue, mapping, function, region, Math.min(concurrency(mapping), MAX_POLLERS));
    }

    /** With {@code pollerCount} pollers (tests take one, to see what one poller gathers). */
    LocalSqsEventSource(SqsClient sqs, LocalResources.Queue queue, SqsEventSource mapping,
                        LocalFunction<SQSEvent, SQSBatchResponse> function, String region, int pollerCount) {
        this.sqs = sqs;
        this.queue = queue;
        this.mapping = mapping;
        this.function = function;
        this.region = region;
        this.pollerCount = pollerCount;
        this.pollers = Executors.newFixedThreadPool(pollerCount, daemon("sqs-poller-" + function.name()));
        this.invocations = Executors.newCachedThreadPool(daemon("invoke-" + function.name()));
        this.capacity = new Semaphore(concurrency(mapping));
    }

    /** Lambda's MaximumConcurrency: at least 2, and no more than a local machine should run at once. */
    static int concurrency(SqsEventSource mapping) {
        return Math.max(2, Math.min(mapping.maximumConcurrency(), MAX_LOCAL_CONCURRENCY));
    }

    void start() {
        running.set(true);
        for (int i = 0; i < pollerCount; i++) {
            pollers.submit(this::pollLoop);
        }
        LOG.info("polling {} for {}: batch size {}, batching window {} s, up to {} concurrent invocations",
                queue.name(), function.name(), mapping.batchSize(), mapping.maximumBatchingWindowSeconds(),
                concurrency(mapping));
    }

    /** Stops taking batches and waits for the invocations in flight (the function's Timeout at most). */
    @Override
    public void close() {
        running.set(false);
        pollers.shutdown();
        invocations.shutdown();
        try {
            long timeout = function.timeoutSeconds() + 5L;
            if (!pollers.awaitTermination(timeout, TimeUnit.SECONDS)
                    || !invocations.awaitTermination(timeout, TimeUnit.SECONDS)) {
                LOG.warn("{} invocations still running after its timeout; abandoning them", function.name());
                invocations.shutdownNow();
            }
        } catch (InterruptedException e) {
            invocations.shutdownNow();
            Thread.currentThread().interrupt();
        }
        pollers.shutdownNow();
    }

    private void pollLoop() {
        while (running.get()) {
            try {
                if (!capacity.tryAcquire(1, TimeUnit.SECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean handedOver = false;
            try {
                List<Message> messages = running.get() ? receive() : List.of();
                if (!messages.isEmpty() && running.get()) {
                    invocations.submit(() -> {
                        try {
                            invoke(messages);
                        } finally {
                            capacity.release();
                        }
                    });
                    handedOver = true;
                } else if (!messages.isEmpty()) {
                    // Draining: leave them for the next start (they reappear after the visibility timeout).
                    LOG.info("shutting down; {} received message(s) left on the queue", messages.size());
                }
            } catch (RuntimeException e) {
                if (running.get()) {
                    LOG.warn("polling {} failed: {}", queue.name(), e.toString());
                    pause();
                }
            } finally {
                if (!handedOver) {
                    capacity.release();
                }
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * One batch: up to BatchSize messages. Once the first is in, more are gathered until the batch is full or the
     * batching window has passed since that first one. (AWS documents the window of an SQS mapping as starting when
     * the previous invocation ends; starting it at the first message is the worst case for a lone task, which waits
     * the whole window.) Empty when nothing came within one long poll.
     */
    private List<Message> receive() {
        List<Message> batch = new ArrayList<>(receiveUpTo(mapping.batchSize(), LONG_POLL_SECONDS));
        if (batch.isEmpty()) {
            return batch;
        }
        long windowEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(mapping.maximumBatchingWindowSeconds());
        while (batch.size() < mapping.batchSize() && running.get()) {
            long left = windowEnds - System.nanoTime();
            if (left <= 0) {
                break;
            }
            // A long poll returns as soon as a message arrives, but SQS waits in whole seconds: the window's last
            // fraction of a second is spent in short polls.
            int waitSeconds = (int) Math.min(LONG_POLL_SECONDS, TimeUnit.NANOSECONDS.toSeconds(left));
            List<Message> more = receiveUpTo(mapping.batchSize() - batch.size(), waitSeconds);
            batch.addAll(more);
            if (more.isEmpty() && waitSeconds == 0) {
                LockSupport.parkNanos(Math.min(left, SHORT_POLL_PAUSE_NANOS));
            }
        }
        return batch;
    }

    private List<Message> receiveUpTo(int wanted, int waitSeconds) {
        return sqs.receiveMessage(b -> b.queueUrl(queue.url())
                .maxNumberOfMessages(Math.min(SQS_BATCH_LIMIT, wanted))
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
    }

    private void invoke(List<Message> messages) {
        SQSEvent event = new SQSEvent();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message message : messages) {
            records.add(record(message));
        }
        event.setRecords(records);
        SQSBatchResponse response;
        long started = System.nanoTime();
        try {
            response = function.invoke(event);
        } catch (LocalFunction.TimedOut e) {
            LOG.error("{} exceeded its {} s timeout and was stopped; the whole batch of {} stays on the queue",
                    function.name(), function.timeoutSeconds(), messages.size());
            return;
        } catch (RuntimeException e) {
            LOG.error("{} failed; the whole batch of {} stays on the queue", function.name(), messages.size(), e);
            return;
        } finally {
            LOG.info("REPORT {} Records: {} Duration: {} ms Memory Size: {} MB", function.name(), messages.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), function.memoryMb());
        }
        Set<String> failed = new HashSet<>();
        if (mapping.reportBatchItemFailures() && response != null && response.getBatchItemFailures() != null) {
            Set<String> known = new HashSet<>();
            messages.forEach(m -> known.add(m.messageId()));
            for (SQSBatchResponse.BatchItemFailure failure : response.getBatchItemFailures()) {
                String id = failure == null ? null : failure.getItemIdentifier();
                if (id == null || id.isEmpty() || !known.contains(id)) {
                    LOG.error("{} reported an invalid batch item failure {}; the whole batch stays on the queue",
                            function.name(), id);
                    return;
                }
                failed.add(id);
            }
        }
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message message : messages) {
            if (!failed.contains(message.messageId())) {
                done.add(DeleteMessageBatchRequestEntry.builder().id(message.messageId())
                        .receiptHandle(message.receiptHandle()).build());
            }
        }
        for (int from = 0; from < done.size(); from += SQS_BATCH_LIMIT) {
            List<DeleteMessageBatchRequestEntry> chunk = done.subList(from, Math.min(done.size(), from + SQS_BATCH_LIMIT));
            try {
                var result = sqs.deleteMessageBatch(b -> b.queueUrl(queue.url()).entries(chunk));
                result.failed().forEach(f -> LOG.warn("could not delete message {} from {}: {}; it will be redelivered",
                        f.id(), queue.name(), f.message()));
            } catch (RuntimeException e) {
                LOG.warn("could not delete {} processed message(s) from {}; they will be redelivered: {}",
                        chunk.size(), queue.name(), e.toString());
            }
        }
    }

    private SQSEvent.SQSMessage record(Message message) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(message.messageId());
        record.setReceiptHandle(message.receiptHandle());
        record.setBody(message.body());
        record.setMd5OfBody(message.md5OfBody());
        record.setMd5OfMessageAttributes(message.md5OfMessageAttributes());
        Map<String, String> attributes = new HashMap<>();
        message.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
        record.setAttributes(attributes);
        record.setMessageAttributes(new HashMap<>());
        record.setEventSource("aws:sqs");
        record.setEventSourceArn(queue.arn());
        record.setAwsRegion(region);
        return record;
    }

    private void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
