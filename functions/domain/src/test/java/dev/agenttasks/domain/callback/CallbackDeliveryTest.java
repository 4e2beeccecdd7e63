package dev.agenttasks.domain.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.fakes.InMemoryTaskStore;
import dev.agenttasks.domain.fakes.MutableClock;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.WebhookSender;
import dev.agenttasks.domain.task.Callback;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TokenUsage;

/** Webhook delivery on the in-memory store, with a receiver scripted by the test. */
class CallbackDeliveryTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final String KEY = "a-signing-key-of-at-least-32-characters";

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryTaskStore store = new InMemoryTaskStore();
    private final WebhookSigner signer = new WebhookSigner(KEY);
    private final List<String> metricLines = new ArrayList<>();
    private final List<Sent> sent = new ArrayList<>();
    private final LinkedList<Object> answers = new LinkedList<>();
    private Optional<String> urlProblem = Optional.empty();

    private record Sent(URI url, Map<String, String> headers, String body) {
    }

    private final WebhookSender receiver = (url, headers, body, timeout) -> {
        sent.add(new Sent(url, headers, new String(body, StandardCharsets.UTF_8)));
        Object answer = answers.isEmpty() ? 200 : answers.removeFirst();
        if (answer instanceof WebhookSender.WebhookException e) {
            throw e;
        }
        return (Integer) answer;
    };

    private CallbackDelivery delivery(int maxAttempts) {
        return new CallbackDelivery(store, receiver, signer, task -> "{\"task_id\":\"" + task.id() + "\"}",
                url -> urlProblem, new Metrics("callbacks", metricLines::add, clock), clock,
                new CallbackDelivery.Options(maxAttempts, Duration.ofSeconds(10)));
    }

    private Task finishedWithWebhookOwed() {
        Task task = new Task.Builder(TaskIds.newId(), "jwt:local|alice", "What is 2 + 2?", T0)
                .expiresAt(T0.plus(Duration.ofDays(7))).callbackUrl("https://hooks.example.com/done").build();
        store.createIfAbsent(task);
        store.claim(task.id(), "worker", T0, Duration.ofMinutes(1));
        store.complete(task.id(), "worker", new TaskOutcome("m", "4", new TokenUsage(1, 1), null, 5), T0);
        assertThat(store.markCallbackOwed(task.id(), T0.plus(CallbackNotifier.REDRIVE_AFTER))).isTrue();
        return task;
    }

    private Callback callback(Task task) {
        return store.find(task.id()).orElseThrow().callback();
    }

    @Test
    void a2xxSettlesTheWebhookWithAStandardWebhooksSignatureTheOwnersSecretVerifies() throws Exception {
        Task task = finishedWithWebhookOwed();

        assertThat(delivery(8).deliver(task.id())).isEqualTo(new CallbackDelivery.Result.Done());

        Sent request = sent.get(0);
        assertThat(request.url()).isEqualTo(URI.create("https://hooks.example.com/done"));
        assertThat(request.body()).isEqualTo("{\"task_id\":\"" + task.id() + "\"}");
        assertThat(request.headers()).containsEntry("webhook-id", "msg_" + task.id())
                .containsEntry("webhook-timestamp", Long.toString(T0.getEpochSecond()))
                .containsEntry("content-type", "application/json");
        String secret = signer.secretFor(task.owner());
        assertThat(secret).startsWith("whsec_");
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        assertThat(key).hasSize(32);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] expected = mac.doFinal(("msg_" + task.id() + "." + T0.getEpochSecond() + "." + request.body())
                .getBytes(StandardCharsets.UTF_8));
        assertThat(request.headers().get("webhook-signature"))
                .isEqualTo("v1," + Base64.getEncoder().encodeToString(expected));
        assertThat(callback(task)).isEqualTo(new Callback(Callback.Status.DELIVERED, 1, null, null));
        assertThat(store.indexed()).doesNotContain(task.id());
        assertThat(metricLines).anySatisfy(line -> assertThat(line).contains("\"Outcome\":\"delivered\""));
    }

    @Test
    void eachCallerHasItsOwnSecret() {
        assertThat(signer.secretFor("jwt:local|alice")).isNotEqualTo(signer.secretFor("jwt:local|bob"))
                .isEqualTo(signer.secretFor("jwt:local|alice"));
        assertThat(new WebhookSigner(KEY + "x").secretFor("jwt:local|alice")).isNotEqualTo(signer.secretFor("jwt:local|alice"));
    }

    @Test
    void aFailedDeliveryIsRetriedLaterWithTheSameIdAndBodyAndAnEarlyCopyCallsNobody() {
        Task task = finishedWithWebhookOwed();
        answers.add(500);
        CallbackDelivery delivery = delivery(8);

        CallbackDelivery.Result first = delivery.deliver(task.id());
        clock.advance(Duration.ofSeconds(4));
        CallbackDelivery.Result early = delivery.deliver(task.id());
        clock.advance(Duration.ofSeconds(6));
        CallbackDelivery.Result second = delivery.deliver(task.id());

        assertThat(first).isEqualTo(new CallbackDelivery.Result.RetryAfter(Duration.ofSeconds(10)));
        assertThat(early).isEqualTo(new CallbackDelivery.Result.RetryAfter(Duration.ofSeconds(6)));
        assertThat(second).isEqualTo(new CallbackDelivery.Result.Done());
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).headers().get("webhook-id")).isEqualTo(sent.get(0).headers().get("webhook-id"));
        assertThat(sent.get(1).body()).isEqualTo(sent.get(0).body());
        assertThat(callback(task)).isEqualTo(new Callback(Callback.Status.DELIVERED, 2, "http_500", null));
    }

    @Test
    void afterTheLastAttemptTheWebhookIsGivenUpWithTheLastErrorCode() {
        Task task = finishedWithWebhookOwed();
        answers.add(503);
        answers.add(new WebhookSender.WebhookException("timeout", "no response within 10 s", null));
        CallbackDelivery delivery = delivery(2);

        delivery.deliver(task.id());
        assertThat(callback(task).lastError()).isEqualTo("http_503");
        clock.advance(Duration.ofSeconds(10));
        assertThat(delivery.deliver(task.id())).isEqualTo(new CallbackDelivery.Result.Done());
        clock.advance(Duration.ofHours(1));
        assertThat(delivery.deliver(task.id())).as("settled: nothing more").isEqualTo(new CallbackDelivery.Result.Done());

        assertThat(sent).hasSize(2);
        assertThat(callback(task)).isEqualTo(new Callback(Callback.Status.FAILED, 2, "timeout", null));
        assertThat(store.indexed()).doesNotContain(task.id());
        assertThat(metricLines).anySatisfy(line -> assertThat(line).contains("\"Outcome\":\"failed\""));
    }

    @Test
    void aUrlThatNoLongerPassesTheAddressCheckIsNeverCalled() {
        Task task = finishedWithWebhookOwed();
        urlProblem = Optional.of("must not point at a loopback, private, link-local or metadata address");

        delivery(8).deliver(task.id());

        assertThat(sent).isEmpty();
        assertThat(callback(task)).isEqualTo(new Callback(Callback.Status.FAILED, 0, "url_not_allowed", null));
    }

    @Test
    void aTaskWithNoWebhookOwedIsLeftAlone() {
        Task task = new Task.Builder(TaskIds.newId(), "jwt:local|alice", "x", T0).callbackUrl("https://h.example/").build();
        store.createIfAbsent(task);

        assertThat(delivery(8).deliver(task.id())).isEqualTo(new CallbackDelivery.Result.Done());
        assertThat(delivery(8).deliver(TaskIds.newId())).isEqualTo(new CallbackDelivery.Result.Done());
        assertThat(sent).isEmpty();
    }

    @Test
    void retriesWaitTenSecondsThenThreeTimesLongerUpToAnHour() {
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 20).stream().map(CallbackDelivery::delayAfter).map(Duration::toSeconds))
                .containsExactly(10L, 30L, 90L, 270L, 810L, 2430L, 3600L, 3600L);
    }
}
