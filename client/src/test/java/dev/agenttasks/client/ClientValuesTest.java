package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The value types: idempotency keys, task views from any server version, requests, credentials, Retry-After. */
class ClientValuesTest {

    @Test
    void idempotencyKeysArePrintableAsciiOfAtMost255AndGoOutAsStructuredStrings() {
        assertThat(IdempotencyKeys.check("order-42")).isEqualTo("order-42");
        assertThat(IdempotencyKeys.check("x".repeat(255))).hasSize(255);
        assertThat(IdempotencyKeys.headerValue("order-42")).isEqualTo("\"order-42\"");
        assertThat(IdempotencyKeys.random()).isNotEqualTo(IdempotencyKeys.random()).hasSize(36);
        for (String bad : new String[] {"", "x".repeat(256), "naïve", "tab\there", "quote\"", "back\\slash", " padded "}) {
            assertThatThrownBy(() -> SubmitRequest.builder("t").idempotencyKey(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aTaskViewFromANewerServerKeepsWhatItKnowsAndUnknownStatusesAreNotTerminal() throws Exception {
        String json = "{\"task_id\":\"k5v2q7w3xj4m6n2p3r5t7v2x4z\",\"status\":\"paused\",\"some_future_field\":[1],"
                + "\"waiting\":{\"reason\":\"budget\"},\"created_at\":\"2026-01-01T00:00:00Z\",\"cost_usd\":0.0000062,"
                + "\"cancel_requested_at\":\"not a time\"}";

        TaskView view = TaskView.from(new ObjectMapper().readTree(json), json);

        assertThat(view.status()).isEqualTo(TaskStatus.UNKNOWN);
        assertThat(view.status().isTerminal()).isFalse();
        assertThat(view.waiting()).hasValue(new TaskView.Waiting("budget", "", Optional.empty()));
        assertThat(view.routing()).isEmpty();
        assertThat(view.tier()).isEmpty();
        assertThat(view.createdAt()).hasValue(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(view.cancelRequestedAt()).isEmpty();
        assertThat(view.result()).isEmpty();
        assertThat(view.json()).isEqualTo(json);
        assertThatThrownBy(() -> TaskView.from(new ObjectMapper().readTree("[1]"), "[1]"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTierIsReadFromRoutingAndTheNewerMembersOfAViewAreExposed() throws Exception {
        String json = """
                {"task_id":"k5v2q7w3xj4m6n2p3r5t7v2x4z","status":"complete","result":"ok","error":null,
                 "model":"llama-3.3-70b-versatile","usage":{"input_tokens":31,"output_tokens":58,"total_tokens":89},
                 "cost_usd":0.00000619,"cost_estimated":false,
                 "tokens_spent":{"input_tokens":62,"output_tokens":58,"total_tokens":120},"degraded":true,
                 "max_total_tokens":18000,
                 "routing":{"tier":"standard","reason_code":"default_tier","reason":"no rule matched"},
                 "tier":"not the tier","duration_ms":912,"attempts":2,
                 "created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:01.120Z",
                 "callback":{"url":"https://hooks.example.com/h","status":"delivered","attempts":2,"last_error":"http_500"}}""";

        TaskView view = TaskView.from(new ObjectMapper().readTree(json), json);

        assertThat(view.tier()).hasValue("standard");
        assertThat(view.routing()).hasValue(new TaskView.Routing("standard", "default_tier", "no rule matched"));
        assertThat(view.callback()).hasValue(new TaskView.Callback("https://hooks.example.com/h", "delivered", 2,
                Optional.of("http_500")));
        assertThat(view.tokensSpent()).hasValue(new TaskView.Usage(62, 58, 120));
        assertThat(view.maxTotalTokens()).hasValue(18_000L);
        assertThat(view.degraded()).isTrue();
        assertThat(view.waiting()).isEmpty();

        String pending = "{\"task_id\":\"k5v2q7w3xj4m6n2p3r5t7v2x4z\",\"status\":\"pending\","
                + "\"waiting\":{\"reason\":\"rate_limited\",\"model\":\"m\",\"until\":\"2026-01-01T00:01:00Z\"},"
                + "\"callback\":{\"url\":\"http://127.0.0.1:9/h\",\"status\":\"pending\",\"attempts\":0,\"last_error\":null}}";
        TaskView held = TaskView.from(new ObjectMapper().readTree(pending), pending);
        assertThat(held.waiting()).hasValue(new TaskView.Waiting("rate_limited", "m",
                Optional.of(Instant.parse("2026-01-01T00:01:00Z"))));
        assertThat(held.callback()).hasValueSatisfying(callback -> assertThat(callback.lastError()).isEmpty());
        assertThat(held.degraded()).isFalse();
        assertThat(held.maxTotalTokens()).isEmpty();
        assertThat(held.tokensSpent()).isEmpty();
    }

    @Test
    void waitUpToIsClampedToWhatTheApiHonours() {
        assertThat(SubmitRequest.builder("t").waitUpTo(Duration.ofMinutes(5)).build().waitUpTo()).hasValue(Duration.ofSeconds(20));
        assertThat(SubmitRequest.builder("t").waitUpTo(Duration.ofMillis(2_900)).build().waitUpTo()).hasValue(Duration.ofSeconds(2));
        assertThatThrownBy(() -> SubmitRequest.builder("t").waitUpTo(Duration.ofMillis(999))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");

        assertThat(Transport.retryAfter("7", now)).hasValue(Duration.ofSeconds(7));
        assertThat(Transport.retryAfter(" 0 ", now)).hasValue(Duration.ZERO);
        assertThat(Transport.retryAfter("Sun, 01 Mar 2026 10:00:30 GMT", now)).hasValue(Duration.ofSeconds(30));
        assertThat(Transport.retryAfter("Sun, 01 Mar 2026 09:00:00 GMT", now)).hasValue(Duration.ZERO);
        assertThat(Transport.retryAfter("-3", now)).isEmpty();
        assertThat(Transport.retryAfter("soon", now)).isEmpty();
    }

    @Test
    void awsCredentialsComeFromTheEnvironmentAndHideTheirSecret() {
        AwsCredentials credentials = AwsCredentials.fromEnvironment(Map.of("AWS_ACCESS_KEY_ID", "AKID",
                "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token"));

        assertThat(credentials).isEqualTo(new AwsCredentials("AKID", "secret", Optional.of("token")));
        assertThat(credentials.toString()).doesNotContain("secret)").doesNotContain("=secret").contains("secret hidden");
        assertThatThrownBy(() -> AwsCredentials.fromEnvironment(Map.of("AWS_ACCESS_KEY_ID", "AKID")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theBaseUrlMustBeHttpAndMayCarryAStagePath() {
        assertThatThrownBy(() -> AgentTasksClient.builder().baseUrl(java.net.URI.create("ftp://x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentTasksClient.builder().baseUrl(java.net.URI.create("/tasks"))).isInstanceOf(IllegalArgumentException.class);
        Transport transport = new Transport(java.net.URI.create("https://abc.execute-api.eu-west-1.amazonaws.com/prod/"),
                Auth.none(), null, RetryPolicy.none(), Duration.ofSeconds(1), java.time.Clock.systemUTC(), Sleeper.THREAD,
                java.util.random.RandomGenerator.getDefault());
        assertThat(transport.uri("/tasks")).hasToString("https://abc.execute-api.eu-west-1.amazonaws.com/prod/tasks");
    }
}
