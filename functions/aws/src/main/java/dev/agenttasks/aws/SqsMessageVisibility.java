package dev.agenttasks.aws;

import java.time.Duration;

import dev.agenttasks.domain.port.InFlightMessage;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Sets the visibility of a received TaskQueue message: to bring it back after a delay, or to keep it hidden
 * while its task's lease lives ({@link #inFlight}).
 */
public final class SqsMessageVisibility {

    /** SQS's ceiling for a message's visibility timeout. */
    public static final Duration MAX_DELAY = Duration.ofHours(12);

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsMessageVisibility(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    /**
     * Sets the message's visibility to {@code delay}, rounded up to whole seconds. Returns false when SQS
     * refused (the message then comes back after its current visibility timeout).
     */
    public boolean redeliverAfter(String receiptHandle, Duration delay) {
        long seconds = Math.min(MAX_DELAY.toSeconds(), Math.max(0, (delay.toMillis() + 999) / 1000));
        try {
            sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle)
                    .visibilityTimeout((int) seconds));
            return true;
        } catch (SdkException e) {
            return false;
        }
    }

    /** The received message as the worker holds it: each lease renewal hides it for the lease again. */
    public InFlightMessage inFlight(String receiptHandle) {
        return timeout -> redeliverAfter(receiptHandle, timeout);
    }
}
