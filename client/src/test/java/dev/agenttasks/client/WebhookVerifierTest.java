package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Standard Webhooks verification: the specification's published test vector, tolerance, forgeries, rotation. */
class WebhookVerifierTest {

    // The Standard Webhooks specification's test vector (also used by every official library's tests).
    private static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final String VECTOR_TIMESTAMP = "1614265330";
    private static final byte[] VECTOR_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static final String SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(
            "agent-tasks-test-secret-32-bytes".getBytes(StandardCharsets.UTF_8));
    private static final Instant SENT = Instant.parse("2026-03-01T10:00:00Z");
    private static final byte[] TASK = ("{\"task_id\":\"k5v2q7w3xj4m6n2p3r5t7v2x4z\",\"status\":\"complete\","
            + "\"result\":\"done\",\"error\":null,\"callback\":{\"attempt\":2}}").getBytes(StandardCharsets.UTF_8);

    private static WebhookVerifier verifierAt(String secret, Instant now) {
        return WebhookVerifier.of(secret).withClock(Clock.fixed(now, ZoneOffset.UTC));
    }

    private static String sign(String id, Instant at, byte[] body) {
        return WebhookVerifier.of(SECRET).signature(id, at.getEpochSecond(), body);
    }

    @Test
    void theSpecificationsTestVectorSignsAndVerifies() throws Exception {
        Instant signedAt = Instant.ofEpochSecond(Long.parseLong(VECTOR_TIMESTAMP));
        WebhookVerifier verifier = verifierAt(VECTOR_SECRET, signedAt);

        assertThat(verifier.signature(VECTOR_ID, signedAt.getEpochSecond(), VECTOR_BODY)).isEqualTo(VECTOR_SIGNATURE);
        assertThatThrownBy(() -> verifier.verify(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_SIGNATURE, VECTOR_BODY))
                .as("the vector's body is not a task view, but its signature was accepted first")
                .isInstanceOf(WebhookVerifier.VerificationException.class).hasMessageStartingWith("the signed body is not a task view");
        assertThat(WebhookVerifier.of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").signature(VECTOR_ID, signedAt.getEpochSecond(), VECTOR_BODY))
                .as("the secret without its whsec_ prefix").isEqualTo(VECTOR_SIGNATURE);
    }

    @Test
    void aSignedTaskViewVerifiesFromItsHeadersInAnyCase() throws Exception {
        Map<String, List<String>> headers = Map.of("Webhook-Id", List.of("msg_1"),
                "WEBHOOK-TIMESTAMP", List.of(Long.toString(SENT.getEpochSecond())),
                "webhook-signature", List.of(sign("msg_1", SENT, TASK)));

        WebhookVerifier.WebhookMessage message = verifierAt(SECRET, SENT.plusSeconds(30)).verify(headers, TASK);

        assertThat(message.id()).isEqualTo("msg_1");
        assertThat(message.timestamp()).isEqualTo(SENT);
        assertThat(message.task().taskId()).isEqualTo("k5v2q7w3xj4m6n2p3r5t7v2x4z");
        assertThat(message.task().status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(message.task().result()).hasValue("done");
    }

    @Test
    void anyMatchingEntryOfASpaceSeparatedListIsEnoughForKeyRotation() throws Exception {
        String rotated = "v1,c29tZSBvdGhlciBrZXkncyBzaWduYXR1cmUgaGVyZQ== v2,ignored " + sign("msg_1", SENT, TASK);

        assertThat(verifierAt(SECRET, SENT).verify("msg_1", Long.toString(SENT.getEpochSecond()), rotated, TASK).id())
                .isEqualTo("msg_1");
    }

    @Test
    void aTamperedBodyIdOrTimestampOrAnotherSecretIsRejected() {
        String timestamp = Long.toString(SENT.getEpochSecond());
        String signature = sign("msg_1", SENT, TASK);
        byte[] tampered = new String(TASK, StandardCharsets.UTF_8).replace("done", "DONE").getBytes(StandardCharsets.UTF_8);
        WebhookVerifier verifier = verifierAt(SECRET, SENT);

        assertThatThrownBy(() -> verifier.verify("msg_1", timestamp, signature, tampered))
                .isInstanceOf(WebhookVerifier.VerificationException.class)
                .hasMessage("no v1 signature in webhook-signature matches the body");
        assertThatThrownBy(() -> verifier.verify("msg_2", timestamp, signature, TASK))
                .isInstanceOf(WebhookVerifier.VerificationException.class);
        assertThatThrownBy(() -> verifier.verify("msg_1", Long.toString(SENT.getEpochSecond() + 1), signature, TASK))
                .isInstanceOf(WebhookVerifier.VerificationException.class);
        assertThatThrownBy(() -> verifierAt(VECTOR_SECRET, SENT).verify("msg_1", timestamp, signature, TASK))
                .isInstanceOf(WebhookVerifier.VerificationException.class);
        assertThatThrownBy(() -> verifier.verify("msg_1", timestamp, "v1,not-base64!", TASK))
                .isInstanceOf(WebhookVerifier.VerificationException.class);
        assertThatThrownBy(() -> verifier.verify("msg_1", timestamp, signature.replace("v1,", "v2,"), TASK))
                .isInstanceOf(WebhookVerifier.VerificationException.class);
    }

    @Test
    void aTimestampOutsideTheToleranceEitherWayIsRejected() throws Exception {
        String timestamp = Long.toString(SENT.getEpochSecond());
        String signature = sign("msg_1", SENT, TASK);

        assertThat(verifierAt(SECRET, SENT.plus(Duration.ofMinutes(5))).verify("msg_1", timestamp, signature, TASK)).isNotNull();
        assertThat(verifierAt(SECRET, SENT.minus(Duration.ofMinutes(5))).verify("msg_1", timestamp, signature, TASK)).isNotNull();
        assertThatThrownBy(() -> verifierAt(SECRET, SENT.plus(Duration.ofMinutes(5)).plusSeconds(1))
                .verify("msg_1", timestamp, signature, TASK))
                .isInstanceOf(WebhookVerifier.VerificationException.class).hasMessageContaining("more than PT5M away");
        assertThatThrownBy(() -> verifierAt(SECRET, SENT.minus(Duration.ofMinutes(6))).verify("msg_1", timestamp, signature, TASK))
                .isInstanceOf(WebhookVerifier.VerificationException.class);
        assertThat(verifierAt(SECRET, SENT.plus(Duration.ofMinutes(30))).withTolerance(Duration.ofHours(1))
                .verify("msg_1", timestamp, signature, TASK)).isNotNull();
        assertThatThrownBy(() -> verifierAt(SECRET, SENT).verify("msg_1", "yesterday", signature, TASK))
                .isInstanceOf(WebhookVerifier.VerificationException.class).hasMessageContaining("not unix seconds");
    }

    @Test
    void missingHeadersAndBadSecretsAreRefused() {
        assertThatThrownBy(() -> verifierAt(SECRET, SENT).verify(Map.of(), TASK))
                .isInstanceOf(WebhookVerifier.VerificationException.class)
                .hasMessage("missing webhook-id, webhook-timestamp or webhook-signature");
        assertThatThrownBy(() -> WebhookVerifier.of("whsec_***")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebhookVerifier.of("whsec_")).isInstanceOf(IllegalArgumentException.class);
    }
}
