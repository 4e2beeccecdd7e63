package dev.agenttasks.aws;

import java.time.Duration;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Brings a received message back after a delay, by setting its visibility timeout. */
public final class SqsRedelivery {

    /** SQS's ceiling for a message's visibility timeout. */
    public static final Duration MAX_DELAY = Duration.ofHours(12);

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsRedelivery(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    /**
     * Sets the message's visibility to {@code delay}, rounded up to whole seconds. Returns false when SQS
     * refused (the message then comes back after the queue's own visibility timeout).
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
}
