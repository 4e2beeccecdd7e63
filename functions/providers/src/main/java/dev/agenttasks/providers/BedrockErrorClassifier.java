package dev.agenttasks.providers;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.agenttasks.domain.port.LlmException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.bedrockruntime.model.AccessDeniedException;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.InternalServerException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelNotReadyException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceQuotaExceededException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/**
 * Turns a failed Converse call into a classified {@link LlmException} (docs/reliability.md, "Error classification").
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>failure</th><th>kind</th><th>code</th></tr>
 *   <tr><td>ThrottlingException (429), ModelNotReadyException (429), ServiceUnavailableException (503),
 *       InternalServerException (500)</td><td>transient</td><td>{@code throttling}, {@code model_not_ready},
 *       {@code service_unavailable}, {@code internal_server}</td></tr>
 *   <tr><td>ModelTimeoutException (408)</td><td>transient</td><td>{@code model_timeout}</td></tr>
 *   <tr><td>ValidationException (400), AccessDeniedException (403), ResourceNotFoundException (404),
 *       ServiceQuotaExceededException (400), ModelErrorException (424)</td><td>permanent</td><td>{@code validation},
 *       {@code access_denied}, {@code resource_not_found}, {@code service_quota_exceeded}, {@code model_error}</td></tr>
 *   <tr><td>any other Bedrock error</td><td>by status, as for OpenAI-compatible APIs</td><td>{@code http_<status>}</td></tr>
 *   <tr><td>the call's timeout, a read timeout</td><td>transient</td><td>{@code timeout}</td></tr>
 *   <tr><td>connect timeout; connection refused, unknown host (nothing was sent)</td><td>transient</td>
 *       <td>{@code connect_timeout}, {@code connect_failed}</td></tr>
 *   <tr><td>any other I/O failure</td><td>transient</td><td>{@code connection_error}</td></tr>
 *   <tr><td>interrupted</td><td>transient</td><td>{@code interrupted}</td></tr>
 * </table>
 *
 * Transient errors carry a {@code Retry-After} wait hint when the response has one.
 */
public final class BedrockErrorClassifier {

    public static final String CODE_TIMEOUT = ProviderErrorClassifier.CODE_TIMEOUT;
    public static final String CODE_CONNECT_TIMEOUT = ProviderErrorClassifier.CODE_CONNECT_TIMEOUT;
    public static final String CODE_CONNECT_FAILED = "connect_failed";
    public static final String CODE_CONNECTION_ERROR = ProviderErrorClassifier.CODE_CONNECTION_ERROR;
    public static final String CODE_INTERRUPTED = ProviderErrorClassifier.CODE_INTERRUPTED;
    public static final String CODE_MODEL_TIMEOUT = "model_timeout";

    private static final String PROVIDER = BedrockConverseClient.PROVIDER;
    private static final int MAX_DETAIL_CHARS = 500;

    /** A Bedrock exception type: its kind and code. */
    private record Rule(Class<? extends BedrockRuntimeException> type, boolean isTransient, String code) {
    }

    private static final Rule[] RULES = {
            new Rule(ThrottlingException.class, true, "throttling"),
            new Rule(ModelNotReadyException.class, true, "model_not_ready"),
            new Rule(ServiceUnavailableException.class, true, "service_unavailable"),
            new Rule(InternalServerException.class, true, "internal_server"),
            new Rule(ModelTimeoutException.class, true, CODE_MODEL_TIMEOUT),
            new Rule(ValidationException.class, false, "validation"),
            new Rule(AccessDeniedException.class, false, "access_denied"),
            new Rule(ResourceNotFoundException.class, false, "resource_not_found"),
            new Rule(ServiceQuotaExceededException.class, false, "service_quota_exceeded"),
            new Rule(ModelErrorException.class, false, "model_error"),
    };

    private final Clock clock;

    public BedrockErrorClassifier(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static BedrockErrorClassifier systemClock() {
        return new BedrockErrorClassifier(Clock.systemUTC());
    }

    public LlmException classify(SdkException e) {
        if (e instanceof BedrockRuntimeException service) {
            return fromService(service);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return LlmException.transientError(CODE_TIMEOUT, PROVIDER + " did not answer within the timeout", e);
        }
        if (e instanceof AbortedException || has(e, InterruptedException.class)
                || (has(e, InterruptedIOException.class) && !has(e, SocketTimeoutException.class))) {
            Thread.currentThread().interrupt();
            return LlmException.transientError(CODE_INTERRUPTED, PROVIDER + " call was interrupted", e);
        }
        Optional<SocketTimeoutException> socketTimeout = find(e, SocketTimeoutException.class);
        if (socketTimeout.isPresent()) {
            boolean connecting = String.valueOf(socketTimeout.get().getMessage()).toLowerCase(Locale.ROOT).contains("connect");
            return connecting
                    ? LlmException.transientError(CODE_CONNECT_TIMEOUT, PROVIDER + " connect timed out", e)
                    : LlmException.transientError(CODE_TIMEOUT, PROVIDER + " did not answer within the timeout", e);
        }
        if (has(e, ConnectException.class) || has(e, UnknownHostException.class)) {
            return LlmException.transientError(CODE_CONNECT_FAILED, PROVIDER + " could not be reached: " + rootMessage(e), e);
        }
        return LlmException.transientError(CODE_CONNECTION_ERROR, PROVIDER + " call failed: " + rootMessage(e), e);
    }

    private LlmException fromService(BedrockRuntimeException e) {
        int status = e.statusCode();
        String type = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String detail = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        boolean isTransient = ProviderErrorClassifier.isTransientStatus(status);
        String code = ProviderErrorClassifier.httpCode(status);
        for (Rule rule : RULES) {
            if (rule.type().isInstance(e)) {
                isTransient = rule.isTransient();
                code = rule.code();
                break;
            }
        }
        StringBuilder message = new StringBuilder(PROVIDER).append(" returned HTTP ").append(status);
        if (type != null && !type.isBlank()) {
            message.append(' ').append(type);
        }
        if (detail != null && !detail.isBlank()) {
            message.append(": ").append(detail.length() <= MAX_DETAIL_CHARS ? detail : detail.substring(0, MAX_DETAIL_CHARS) + "…");
        }
        Duration retryAfter = isTransient ? waitHint(e).orElse(null) : null;
        return new LlmException(isTransient ? LlmException.Kind.TRANSIENT : LlmException.Kind.PERMANENT, code,
                message.toString(), status, retryAfter, e);
    }

    private Optional<Duration> waitHint(BedrockRuntimeException e) {
        if (e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null) {
            return Optional.empty();
        }
        Map<String, List<String>> headers = e.awsErrorDetails().sdkHttpResponse().headers();
        return RetryAfter.fromHeaders(HttpHeaders.of(headers, (name, value) -> true), clock);
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        return find(e, type).isPresent();
    }

    private static <T extends Throwable> Optional<T> find(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return Optional.of(type.cast(cause));
            }
        }
        return Optional.empty();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }
}
