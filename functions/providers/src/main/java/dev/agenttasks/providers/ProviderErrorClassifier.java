package dev.agenttasks.providers;

import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.json.JsonReadException;
import dev.agenttasks.json.JsonReader;
import dev.agenttasks.json.JsonValue;
import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a failed HTTP call to a provider into a classified {@link LlmException}.
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>failure</th><th>kind</th><th>code</th></tr>
 *   <tr><td>HTTP 408, 429, 498, 500–599 (incl. 529)</td><td>transient</td><td>{@code http_<status>}</td></tr>
 *   <tr><td>any other non-2xx status</td><td>permanent</td><td>{@code http_<status>}</td></tr>
 *   <tr><td>{@link HttpConnectTimeoutException}</td><td>transient</td><td>{@code connect_timeout}</td></tr>
 *   <tr><td>{@link HttpTimeoutException}</td><td>transient</td><td>{@code timeout}</td></tr>
 *   <tr><td>other {@link IOException} (reset, closed, refused)</td><td>transient</td><td>{@code connection_error}</td></tr>
 *   <tr><td>{@link InterruptedException}</td><td>transient</td><td>{@code interrupted}</td></tr>
 * </table>
 *
 * Wait hints ({@link RetryAfter#fromHeaders}) are attached to transient HTTP errors only. Provider text in
 * the messages passes through a {@link SecretRedactor} first.
 */
public final class ProviderErrorClassifier {

    public static final String CODE_TIMEOUT = "timeout";
    public static final String CODE_CONNECT_TIMEOUT = "connect_timeout";
    public static final String CODE_CONNECTION_ERROR = "connection_error";
    public static final String CODE_INTERRUPTED = "interrupted";

    private static final int MAX_DETAIL_CHARS = 500;

    private final String provider;
    private final Clock clock;
    private final SecretRedactor redactor;

    /** A classifier that redacts anything shaped like a key ({@link SecretRedactor#removing} with no key). */
    public ProviderErrorClassifier(String provider, Clock clock) {
        this(provider, clock, SecretRedactor.removing(null));
    }

    public ProviderErrorClassifier(String provider, Clock clock, SecretRedactor redactor) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    public static boolean isTransientStatus(int status) {
        return status == 408 || status == 429 || status == 498 || (status >= 500 && status <= 599);
    }

    public static String httpCode(int status) {
        return "http_" + status;
    }

    /** A non-2xx response; {@code body} may be null. */
    public LlmException fromHttpResponse(int status, HttpHeaders headers, String body) {
        boolean isTransient = isTransientStatus(status);
        StringBuilder message = new StringBuilder(provider).append(" returned HTTP ").append(status);
        errorDetail(body).ifPresent(detail -> message.append(": ").append(detail));
        Duration retryAfter = isTransient ? RetryAfter.fromHeaders(headers, clock).orElse(null) : null;
        return new LlmException(isTransient ? LlmException.Kind.TRANSIENT : LlmException.Kind.PERMANENT,
                httpCode(status), message.toString(), status, retryAfter, null);
    }

    /** A failure to send or receive: every variant is worth another try. */
    public LlmException fromIOException(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return LlmException.transientError(CODE_CONNECT_TIMEOUT, provider + " connect timed out", e);
        }
        if (e instanceof HttpTimeoutException) {
            return LlmException.transientError(CODE_TIMEOUT, provider + " did not answer within the timeout", e);
        }
        return LlmException.transientError(CODE_CONNECTION_ERROR,
                provider + " connection failed: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + redactor.redact(e.getMessage())), e);
    }

    /** Re-sets the thread's interrupt flag, then reports the call as transient. */
    public LlmException fromInterrupt(InterruptedException e) {
        Thread.currentThread().interrupt();
        return LlmException.transientError(CODE_INTERRUPTED, provider + " call was interrupted", e);
    }

    /**
     * The provider's explanation from an OpenAI-style body
     * ({@code {"error":{"message","type","code"}}}), or a short plain-text body; HTML is dropped. Secrets
     * are redacted.
     */
    public Optional<String> errorDetail(String body) {
        return rawErrorDetail(body).map(redactor::redact);
    }

    private Optional<String> rawErrorDetail(String body) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        String trimmed = body.strip();
        if (trimmed.startsWith("{")) {
            return openAiError(trimmed);
        }
        if (trimmed.startsWith("<")) {
            return Optional.empty();
        }
        return Optional.of(truncate(trimmed.replaceAll("\\s+", " ")));
    }

    private Optional<String> openAiError(String json) {
        JsonValue error;
        try {
            error = JsonReader.tolerant().read(json).path("error");
        } catch (JsonReadException e) {
            return Optional.empty();
        }
        if (error.isString()) {
            return Optional.of(truncate(error.asText()));
        }
        String message = error.path("message").asText("");
        String type = error.path("type").asText("");
        String code = error.path("code").asText("");
        if (message.isEmpty() && type.isEmpty() && code.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder detail = new StringBuilder(truncate(message.isEmpty() ? "(no message)" : message));
        if (!type.isEmpty() || !code.isEmpty()) {
            detail.append(" [");
            detail.append(type.isEmpty() ? "" : "type=" + type);
            detail.append(!type.isEmpty() && !code.isEmpty() ? ", " : "");
            detail.append(code.isEmpty() ? "" : "code=" + code);
            detail.append(']');
        }
        return Optional.of(detail.toString());
    }

    private static String truncate(String text) {
        return text.length() <= MAX_DETAIL_CHARS ? text : text.substring(0, MAX_DETAIL_CHARS) + "…";
    }
}
