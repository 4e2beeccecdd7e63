package dev.agenttasks.domain.port;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed provider call, classified: {@link Kind#TRANSIENT} may succeed if tried again later,
 * {@link Kind#PERMANENT} will not. {@code retryAfter} is the provider's own wait hint, if any.
 */
public class LlmException extends RuntimeException {

    public enum Kind { TRANSIENT, PERMANENT }

    private final Kind kind;
    private final String code;
    private final Integer httpStatus;
    private final Duration retryAfter;

    public LlmException(Kind kind, String code, String message, Integer httpStatus, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    public static LlmException transientError(String code, String message, Throwable cause) {
        return new LlmException(Kind.TRANSIENT, code, message, null, null, cause);
    }

    public static LlmException permanentError(String code, String message) {
        return new LlmException(Kind.PERMANENT, code, message, null, null, null);
    }

    public Kind kind() {
        return kind;
    }

    public boolean isTransient() {
        return kind == Kind.TRANSIENT;
    }

    /** A short stable code, e.g. {@code http_429}, {@code timeout}, {@code connection_reset}. */
    public String code() {
        return code;
    }

    public Optional<Integer> httpStatus() {
        return Optional.ofNullable(httpStatus);
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
