package dev.agenttasks.aws;

import java.util.function.Supplier;

import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.port.TaskQueue;
import dev.agenttasks.domain.task.TaskMessages;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link TaskQueue} on SQS: one message {@code {"taskId": "..."}} per task. */
public final class SqsTaskQueue implements TaskQueue {

    private final Supplier<SqsClient> sqs;
    private final String queueUrl;

    public SqsTaskQueue(SqsClient sqs, String queueUrl) {
        this(() -> sqs, queueUrl);
    }

    /** A queue whose client is asked for at each send: one that may never send need not build a client. */
    public SqsTaskQueue(Supplier<SqsClient> sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void enqueue(String taskId) {
        try {
            sqs.get().sendMessage(b -> b.queueUrl(queueUrl).messageBody(TaskMessages.body(taskId)));
        } catch (SdkException e) {
            throw new DependencyUnavailableException("SQS: could not send task " + taskId, e);
        }
    }
}
