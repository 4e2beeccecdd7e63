package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.port.DeadLetterQueue.DeadLetter;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.testkit.MotoEnvironment;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** The SQS adapters against moto: sending, the dead-letter queue, and message visibility (in batch requests). */
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

    @Test
    void changesAskedForTogetherGoOutInOneRequestAndEachCallerGetsItsOwnOutcome() throws Exception {
        List<Message> messages = sendAndReceive(3);
        List<String> operations = new CopyOnWriteArrayList<>();
        List<String> handles = new ArrayList<>(messages.stream().map(Message::receiptHandle).toList());
        handles.add("not-a-receipt-handle");

        List<Boolean> outcomes;
        try (SqsClient counting = countingSqs(operations)) {
            SqsMessageVisibility visibility = new SqsMessageVisibility(counting, config.taskQueueUrl(), Duration.ofSeconds(2));
            outcomes = sideBySide(handles, handle -> visibility.inFlight(handle).hideFor(Duration.ZERO));
        }

        assertThat(outcomes).containsExactly(true, true, true, false);
        assertThat(operations).containsExactly("ChangeMessageVisibilityBatch");
        assertThat(receive(config.taskQueueUrl())).as("shown again at once").hasSize(3);
    }

    @Test
    void theTenthChangeSendsTheRequestWithoutWaitingForTheRest() throws Exception {
        List<Message> messages = sendAndReceive(10);
        List<String> operations = new CopyOnWriteArrayList<>();

        List<Boolean> outcomes;
        try (SqsClient counting = countingSqs(operations)) {
            SqsMessageVisibility visibility = new SqsMessageVisibility(counting, config.taskQueueUrl(), Duration.ofMinutes(10));
            outcomes = sideBySide(messages.stream().map(Message::receiptHandle).toList(),
                    handle -> visibility.redeliverAfter(handle, Duration.ZERO));
        }

        assertThat(outcomes).containsOnly(true).hasSize(10);
        assertThat(operations).containsExactly("ChangeMessageVisibilityBatch");
    }

    @Test
    void aRequestSqsRefusesRefusesEveryChangeInIt() throws Exception {
        SqsMessageVisibility visibility = new SqsMessageVisibility(sqs, config.taskQueueUrl() + "-missing",
                Duration.ofSeconds(2));

        assertThat(sideBySide(List.of("one", "two"), handle -> visibility.redeliverAfter(handle, Duration.ofSeconds(5))))
                .containsExactly(false, false);
    }

    private List<Message> sendAndReceive(int count) {
        for (int i = 0; i < count; i++) {
            sqs.sendMessage(b -> b.queueUrl(config.taskQueueUrl()).messageBody(TaskMessages.body(TaskIds.newId())));
        }
        List<Message> received = new ArrayList<>();
        while (received.size() < count) {
            received.addAll(sqs.receiveMessage(b -> b.queueUrl(config.taskQueueUrl()).maxNumberOfMessages(count - received.size())
                    .waitTimeSeconds(1)).messages());
        }
        return received;
    }

    /** Calls {@code change} for every handle at once, each on its own thread; the outcomes in the handles' order. */
    private static List<Boolean> sideBySide(List<String> handles, Function<String, Boolean> change) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(handles.size());
        try {
            List<Callable<Boolean>> calls = handles.stream().<Callable<Boolean>>map(handle -> () -> change.apply(handle))
                    .toList();
            List<Boolean> outcomes = new ArrayList<>();
            for (Future<Boolean> outcome : threads.invokeAll(calls, 60, TimeUnit.SECONDS)) {
                outcomes.add(outcome.get());
            }
            return outcomes;
        } finally {
            threads.shutdownNow();
        }
    }

    /** An SQS client on moto that records the operation of every request it makes. */
    private SqsClient countingSqs(List<String> operations) {
        return SqsClient.builder()
                .endpointOverride(config.awsEndpointUrl().orElseThrow())
                .region(Region.of(config.awsRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                    }
                }))
                .build();
    }
}
