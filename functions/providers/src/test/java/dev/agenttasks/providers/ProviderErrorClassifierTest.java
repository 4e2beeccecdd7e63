package dev.agenttasks.providers;

import dev.agenttasks.domain.port.LlmException;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProviderErrorClassifierTest {

    private final ProviderErrorClassifier classifier = new ProviderErrorClassifier("openai",
            Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC));

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 498, 500, 502, 503, 504, 529, 599})
    void transientStatuses(int status) {
        LlmException e = classifier.fromHttpResponse(status, RetryAfterTest.headers(), null);

        assertThat(ProviderErrorClassifier.isTransientStatus(status)).isTrue();
        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("http_" + status);
        assertThat(e.httpStatus()).contains(status);
    }

    @ParameterizedTest
    @ValueSource(ints = {300, 302, 400, 401, 403, 404, 409, 413, 415, 422, 499, 600})
    void permanentStatuses(int status) {
        LlmException e = classifier.fromHttpResponse(status, RetryAfterTest.headers(), null);

        assertThat(ProviderErrorClassifier.isTransientStatus(status)).isFalse();
        assertThat(e.kind()).isEqualTo(LlmException.Kind.PERMANENT);
        assertThat(e.code()).isEqualTo("http_" + status);
    }

    @Test
    void retryHintsOnlyOnTransientErrors() {
        assertThat(classifier.fromHttpResponse(503, RetryAfterTest.headers("retry-after", "12"), null).retryAfter())
                .contains(Duration.ofSeconds(12));
        assertThat(classifier.fromHttpResponse(400, RetryAfterTest.headers("retry-after", "12"), null).retryAfter())
                .isEmpty();
    }

    @Test
    void connectTimeout() {
        LlmException e = classifier.fromIOException(new HttpConnectTimeoutException("HTTP connect timed out"));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("connect_timeout");
        assertThat(e.httpStatus()).isEmpty();
    }

    @Test
    void requestTimeout() {
        LlmException e = classifier.fromIOException(new HttpTimeoutException("request timed out"));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("timeout");
    }

    @Test
    void connectionFailuresAreTransient() {
        for (IOException failure : new IOException[] {
                new SocketException("Connection reset"), new EOFException("EOF reached while reading"),
                new IOException("HTTP/1.1 header parser received no bytes"), new ConnectException("Connection refused")}) {
            LlmException e = classifier.fromIOException(failure);

            assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
            assertThat(e.code()).isEqualTo("connection_error");
            assertThat(e.getCause()).isSameAs(failure);
            assertThat(e.getMessage()).contains(failure.getMessage());
        }
    }

    @Test
    void interruptKeepsTheFlagAndIsTransient() {
        try {
            LlmException e = classifier.fromInterrupt(new InterruptedException());

            assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
            assertThat(e.code()).isEqualTo("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void errorDetailFromOpenAiShape() {
        assertThat(classifier.errorDetail(
                "{\"error\":{\"message\":\"Invalid API Key\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"))
                .contains("Invalid API Key [type=invalid_request_error, code=invalid_api_key]");
        assertThat(classifier.errorDetail("{\"error\":{\"message\":\"Internal Server Error\",\"type\":\"internal_server_error\"}}"))
                .contains("Internal Server Error [type=internal_server_error]");
        assertThat(classifier.errorDetail("{\"error\":\"model overloaded\"}")).contains("model overloaded");
    }

    @Test
    void errorDetailFromOtherBodies() {
        assertThat(classifier.errorDetail("upstream connect error or\n disconnect")).contains("upstream connect error or disconnect");
        assertThat(classifier.errorDetail("<html><body>503</body></html>")).isEmpty();
        assertThat(classifier.errorDetail("{\"detail\":\"nope\"}")).isEmpty();
        assertThat(classifier.errorDetail("{truncated")).isEmpty();
        assertThat(classifier.errorDetail("")).isEmpty();
        assertThat(classifier.errorDetail(null)).isEmpty();
        assertThat(classifier.errorDetail("x".repeat(2_000)).orElseThrow()).hasSizeLessThan(600);
    }

    @Test
    void detailsAndConnectionMessagesCarryNoKey() {
        ProviderErrorClassifier withKey = new ProviderErrorClassifier("openai", Clock.systemUTC(),
                SecretRedactor.removing("proxy-key-0123456789"));

        assertThat(withKey.fromHttpResponse(401, RetryAfterTest.headers(),
                "{\"error\":{\"message\":\"bad key proxy-key-0123456789 (was gsk_****abcd)\"}}").getMessage())
                .isEqualTo("openai returned HTTP 401: bad key [redacted] (was [redacted])");
        assertThat(withKey.fromIOException(new IOException("proxy said: Bearer proxy-key-0123456789")).getMessage())
                .doesNotContain("proxy-key-0123456789").contains("[redacted]");
    }
}
