package dev.agenttasks.callback;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.callback.WebhookSigner;
import dev.agenttasks.domain.task.Callback;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TokenUsage;
import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.testkit.TestContext;
import dev.agenttasks.wiring.ServiceWiring;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The callback function against moto and a real HTTP receiver: a finished task's webhook is queued by the same
 * notifier the worker uses, delivered signed, and retried after the receiver's 500.
 */
class CallbackHandlerIT {

    private static final String SIGNING_KEY = "a-webhook-signing-key-for-the-test-0123456789";
    private final WireMockServer receiver = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private Map<String, String> env;

    @BeforeEach
    void start() {
        receiver.start();
        env = new HashMap<>(MotoEnvironment.fresh());
        env.put("WEBHOOK_SIGNING_KEY", SIGNING_KEY);
    }

    @AfterEach
    void stop() {
        receiver.stop();
    }

    private ServiceWiring wiringAt(Instant now) {
        return new ServiceWiring(Config.of(env), Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), now)));
    }

    private Task finishedTaskWithWebhookQueued(ServiceWiring wiring) {
        DynamoDbTaskRepository tasks = new DynamoDbTaskRepository(wiring.aws().dynamoDb(), wiring.config().tasksTable());
        Instant now = Instant.now();
        Task task = new Task.Builder(TaskIds.newId(), "jwt:local|alice", "What is 2 + 2?", now)
                .expiresAt(now.plus(Duration.ofDays(1))).callbackUrl(receiver.baseUrl() + "/hooks/agent-tasks").build();
        tasks.createIfAbsent(task);
        tasks.claim(task.id(), "worker", now, Duration.ofMinutes(1));
        tasks.complete(task.id(), "worker", new TaskOutcome("llama-3.1-8b-instant", "4", new TokenUsage(12, 1), null, 80), now);
        assertThat(wiring.callbackNotifier().taskFinished(tasks.find(task.id()).orElseThrow())).isTrue();
        return task;
    }

    private static Task stored(ServiceWiring wiring, String taskId) {
        return new DynamoDbTaskRepository(wiring.aws().dynamoDb(), wiring.config().tasksTable()).find(taskId).orElseThrow();
    }

    private SQSEvent.SQSMessage receiveOne(ServiceWiring wiring) {
        String queue = wiring.config().callbackQueueUrl().orElseThrow();
        SqsClient sqs = wiring.aws().build(SqsClient.builder());   // the test's own, not the handler's
        List<Message> messages = await().atMost(Duration.ofSeconds(10)).until(() -> sqs
                .receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(1)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages(), list -> !list.isEmpty());
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(messages.get(0).messageId());
        record.setReceiptHandle(messages.get(0).receiptHandle());
        record.setBody(messages.get(0).body());
        record.setAttributes(new HashMap<>(messages.get(0).attributesAsStrings()));
        return record;
    }

    private static SQSEvent batch(SQSEvent.SQSMessage record) {
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(record));
        return event;
    }

    @Test
    void theReceiverGetsTheFinalViewSignedAndAgainAfterAnswering500Once() throws Exception {
        receiver.stubFor(post(urlPathEqualTo("/hooks/agent-tasks")).inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(500))
                .willSetStateTo("recovered"));
        receiver.stubFor(post(urlPathEqualTo("/hooks/agent-tasks")).inScenario("flaky")
                .whenScenarioStateIs("recovered").willReturn(aResponse().withStatus(204)));
        ServiceWiring now = wiringAt(Instant.now());
        Task task = finishedTaskWithWebhookQueued(now);
        SQSEvent.SQSMessage message = receiveOne(now);

        SQSBatchResponse first = new CallbackHandler(now).handleRequest(batch(message), TestContext.withTimeout(60_000));
        Task afterFirst = stored(now, task.id());
        ServiceWiring later = wiringAt(Instant.now().plusSeconds(11));
        SQSBatchResponse second = new CallbackHandler(later).handleRequest(batch(message), TestContext.withTimeout(60_000));

        assertThat(first.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(message.getMessageId());
        assertThat(afterFirst.callback()).satisfies(callback -> {
            assertThat(callback.status()).isEqualTo(Callback.Status.PENDING);
            assertThat(callback.attempts()).isEqualTo(1);
            assertThat(callback.lastError()).isEqualTo("http_500");
        });
        assertThat(second.getBatchItemFailures()).isEmpty();
        assertThat(stored(now, task.id()).callback())
                .isEqualTo(new Callback(Callback.Status.DELIVERED, 2, "http_500", null));

        List<LoggedRequest> requests = receiver.findAll(postRequestedFor(urlPathEqualTo("/hooks/agent-tasks")));
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).getBodyAsString()).isEqualTo(requests.get(0).getBodyAsString());
        assertThat(requests.get(1).getHeader("webhook-id")).isEqualTo(requests.get(0).getHeader("webhook-id"));
        String secret = new WebhookSigner(SIGNING_KEY).secretFor("jwt:local|alice");
        for (LoggedRequest request : requests) {
            assertThat(request.getHeader("webhook-id")).isEqualTo("msg_" + task.id());
            assertThat(request.getHeader("webhook-signature")).isEqualTo(standardWebhooksSignature(secret,
                    request.getHeader("webhook-id"), request.getHeader("webhook-timestamp"), request.getBody()));
        }
        assertThat(requests.get(0).getBodyAsString()).contains("\"task_id\":\"" + task.id() + "\"")
                .contains("\"status\":\"complete\"").contains("\"result\":\"4\"").doesNotContain("callback");
        assertThat(requests.get(0).getHeader("webhook-signature")).isNotEqualTo(standardWebhooksSignature(
                new WebhookSigner(SIGNING_KEY).secretFor("jwt:local|bob"), requests.get(0).getHeader("webhook-id"),
                requests.get(0).getHeader("webhook-timestamp"), requests.get(0).getBody()));
    }

    /** The Standard Webhooks signature, computed here from the spec rather than by the code under test. */
    private static String standardWebhooksSignature(String secret, String id, String timestamp, byte[] body)
            throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(
                java.util.Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "v1," + java.util.Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    @Test
    void aReceiverThatNeverAnswersInTimeIsCutOffAtTheTimeoutAndCountedAsATimeout() {
        receiver.stubFor(post(urlPathEqualTo("/hooks/agent-tasks"))
                .willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
        env.put("WEBHOOK_TIMEOUT_MS", "1000");
        ServiceWiring now = wiringAt(Instant.now());
        Task task = finishedTaskWithWebhookQueued(now);

        long started = System.nanoTime();
        SQSBatchResponse response = new CallbackHandler(now).handleRequest(batch(receiveOne(now)),
                TestContext.withTimeout(60_000));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.getBatchItemFailures()).hasSize(1);
        assertThat(stored(now, task.id()).callback().lastError()).isEqualTo("timeout");
        assertThat(took).isLessThan(Duration.ofSeconds(4));
    }
}
