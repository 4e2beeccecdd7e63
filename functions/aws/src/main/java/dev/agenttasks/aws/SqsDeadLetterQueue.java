package dev.agenttasks.aws;

import java.time.Duration;
import java.util.List;

import dev.agenttasks.domain.port.DeadLetterQueue;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link DeadLetterQueue} on TaskDLQ: short receives (no long polling), so a run never idles. */
public final class SqsDeadLetterQueue implements DeadLetterQueue {

    /** How long a received message stays hidden; one kept for later (a live lease) comes back after it. */
    public static final Duration VISIBILITY = Duration.ofSeconds(120);

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsDeadLetterQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public List<DeadLetter> receive(int max) {
        try {
            return sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                            .maxNumberOfMessages(Math.max(1, Math.min(10, max)))
                            .waitTimeSeconds(0)
                            .visibilityTimeout((int) VISIBILITY.toSeconds()))
                    .messages().stream()
                    .map(m -> new DeadLetter(m.messageId(), m.receiptHandle(), m.body()))
                    .toList();
        } catch (SdkException e) {
            throw new DependencyUnavailableException("SQS: could not read the dead-letter queue", e);
        }
    }

    @Override
    public void delete(DeadLetter message) {
        try {
            sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
        } catch (SdkException e) {
            throw new DependencyUnavailableException("SQS: could not delete dead-letter message "
                    + message.messageId(), e);
        }
    }
}
