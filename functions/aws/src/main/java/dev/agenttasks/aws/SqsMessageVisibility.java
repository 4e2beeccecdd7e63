package dev.agenttasks.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.agenttasks.domain.port.InFlightMessage;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResultEntry;

/**
 * Sets the visibility of received messages of one queue: to bring one back after a delay, or to keep it hidden
 * while its task's lease lives ({@link #inFlight}).
 *
 * <p>Changes asked for within {@link #GATHER} of each other (the records of a batch starting side by side, their
 * heartbeats, their hand-backs) go out together, one {@code ChangeMessageVisibilityBatch} request for up to ten:
 * the first change waits that long for others (the tenth sends at once), and every caller still waits for its own
 * entry's outcome, so a message is hidden before its caller goes on, as with one request each.
 */
public final class SqsMessageVisibility {

    /** SQS's ceiling for a message's visibility timeout. */
    public static final Duration MAX_DELAY = Duration.ofHours(12);
    /** How long the first change of a request waits for others to join it. */
    static final Duration GATHER = Duration.ofMillis(20);
    /** SQS's most entries per batch request. */
    private static final int MAX_ENTRIES = 10;

    private final SqsClient sqs;
    private final String queueUrl;
    private final long gatherNanos;
    private final Object lock = new Object();
    /** The changes that the next request will carry; a new list once a caller has taken them to send. */
    private List<Change> gathering = new ArrayList<>();

    public SqsMessageVisibility(SqsClient sqs, String queueUrl) {
        this(sqs, queueUrl, GATHER);
    }

    SqsMessageVisibility(SqsClient sqs, String queueUrl, Duration gather) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.gatherNanos = gather.toNanos();
    }

    /**
     * Sets the message's visibility to {@code delay}, rounded up to whole seconds. Returns false when SQS
     * refused (the message then comes back after its current visibility timeout).
     */
    public boolean redeliverAfter(String receiptHandle, Duration delay) {
        long seconds = Math.min(MAX_DELAY.toSeconds(), Math.max(0, (delay.toMillis() + 999) / 1000));
        Change change = new Change(receiptHandle, (int) seconds);
        List<Change> toSend = join(change);
        if (toSend != null) {
            // An interrupt meant for this caller must not fail the other callers' changes in the same request.
            boolean interrupted = Thread.interrupted();
            try {
                send(toSend);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return change.outcome.join();
    }

    /** The received message as the worker holds it: each lease renewal hides it for the lease again. */
    public InFlightMessage inFlight(String receiptHandle) {
        return timeout -> redeliverAfter(receiptHandle, timeout);
    }

    /** Adds the change to the next request; returns that request's changes when this caller is to send it. */
    private List<Change> join(Change change) {
        synchronized (lock) {
            List<Change> request = gathering;
            request.add(change);
            if (request.size() == MAX_ENTRIES) {
                gathering = new ArrayList<>();
                lock.notifyAll();
                return request;
            }
            if (request.size() > 1) {
                return null;   // its first change sends it
            }
            long deadline = System.nanoTime() + gatherNanos;
            boolean interrupted = false;
            for (long left = gatherNanos; gathering == request && left > 0; left = deadline - System.nanoTime()) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (gathering != request) {
                return null;   // filled up and sent by its tenth change
            }
            gathering = new ArrayList<>();
            return request;
        }
    }

    private void send(List<Change> changes) {
        try {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < changes.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(String.valueOf(i))
                        .receiptHandle(changes.get(i).receiptHandle).visibilityTimeout(changes.get(i).seconds).build());
            }
            Set<String> changed = new HashSet<>();
            sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries)).successful().stream()
                    .map(ChangeMessageVisibilityBatchResultEntry::id).forEach(changed::add);
            for (int i = 0; i < changes.size(); i++) {
                changes.get(i).outcome.complete(changed.contains(String.valueOf(i)));
            }
        } catch (SdkException e) {
            // every change of the request was refused: completed below
        } finally {
            changes.forEach(change -> change.outcome.complete(false));   // no-op for those completed above
        }
    }

    /** One caller's change and its outcome: true when SQS changed the message's visibility. */
    private static final class Change {
        private final String receiptHandle;
        private final int seconds;
        private final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

        private Change(String receiptHandle, int seconds) {
            this.receiptHandle = receiptHandle;
            this.seconds = seconds;
        }
    }
}
