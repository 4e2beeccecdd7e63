package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.port.DeadLetterQueue.DeadLetter;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.testkit.MotoEnvironment;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** The SQS adapters against moto: sending, the dead-letter queue, and message visibility. */
class SqsQueuesIT {

    private Config config;
    private SqsClient sqs;

    @BeforeEach
    void setUp() {
        config = Config.of(MotoEnvironment.fresh());
        sqs = new AwsClients(config).sqs();
    }

    private List<Message> receive(String queueUrl) {
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
    }

    @Test
    void aTaskIsSentAsItsIdInTheMessageBody() {
        String id = TaskIds.newId();

        new SqsTaskQueue(sqs, config.taskQueueUrl()).enqueue(id);

        assertThat(receive(config.taskQueueUrl())).singleElement()
                .satisfies(m -> assertThat(TaskMessages.taskId(m.body())).contains(id));
    }

    @Test
    void aSendToAMissingQueueIsADependencyFailure() {
        SqsTaskQueue missing = new SqsTaskQueue(sqs, config.taskQueueUrl() + "-missing");

        assertThatThrownBy(() -> missing.enqueue(TaskIds.newId())).isInstanceOf(DependencyUnavailableException.class);
    }

    @Test
    void deadLettersAreReceivedHiddenAndDeleted() {
        String dlq = config.taskDlqUrl().orElseThrow();
        sqs.sendMessage(b -> b.queueUrl(dlq).messageBody("one"));
        SqsDeadLetterQueue deadLetters = new SqsDeadLetterQueue(sqs, dlq);

        List<DeadLetter> received = deadLetters.receive(10);
        assertThat(received).extracting(DeadLetter::body).containsExactly("one");
        assertThat(deadLetters.receive(10)).as("hidden while it is being accounted for").isEmpty();

        deadLetters.delete(received.get(0));
        assertThat(sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNamesWithStrings("All")).attributesAsStrings())
                .containsEntry("ApproximateNumberOfMessages", "0")
                .containsEntry("ApproximateNumberOfMessagesNotVisible", "0");
    }

    @Test
    void aMessageHiddenForZeroSecondsComesBackAtOnceAndAnUnknownHandleIsRefused() {
        sqs.sendMessage(b -> b.queueUrl(config.taskQueueUrl()).messageBody(TaskMessages.body(TaskIds.newId())));
        Message message = receive(config.taskQueueUrl()).get(0);
        SqsMessageVisibility visibility = new SqsMessageVisibility(sqs, config.taskQueueUrl());

        assertThat(receive(config.taskQueueUrl())).isEmpty();
        assertThat(visibility.inFlight(message.receiptHandle()).hideFor(Duration.ZERO)).isTrue();
        assertThat(receive(config.taskQueueUrl())).hasSize(1);
        assertThat(visibility.redeliverAfter("not-a-receipt-handle", Duration.ofSeconds(5))).isFalse();
    }
}
