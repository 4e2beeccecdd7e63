package dev.agenttasks.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The API answered with an error: an RFC 9457 problem document ({@code application/problem+json}). Switch on
 * {@link #type()} (e.g. {@code urn:agent-tasks:problem:task-not-found}) or {@link #slug()}
 * ({@code task-not-found}). An error that is not a problem document (API Gateway's own {@code 403}, a proxy's
 * page) has type {@code about:blank} and its body, shortened, as the detail.
 */
public final class ProblemException extends AgentTasksException {

    public static final String TYPE_PREFIX = "urn:agent-tasks:problem:";

    /** One invalid field of a {@code validation-failed} problem: a JSON pointer into the request and why. */
    public record FieldError(String pointer, String detail) {
    }

    private final int status;
    private final String type;
    private final String title;
    private final String detail;
    private final String instance;
    private final List<FieldError> errors;
    private final transient Optional<Duration> retryAfter;
    private final String body;

    public ProblemException(int status, String type, String title, String detail, String instance,
                            List<FieldError> errors, Optional<Duration> retryAfter, String body) {
        super(message(status, type, title, detail, errors), null);
        this.status = status;
        this.type = type;
        this.title = title;
        this.detail = detail;
        this.instance = instance;
        this.errors = List.copyOf(errors);
        this.retryAfter = retryAfter;
        this.body = body;
    }

    private static String message(int status, String type, String title, String detail, List<FieldError> errors) {
        StringBuilder message = new StringBuilder("HTTP ").append(status).append(' ')
                .append(type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : title);
        if (detail != null && !detail.isBlank()) {
            message.append(": ").append(detail);
        }
        for (FieldError error : errors) {
            message.append("; ").append(error.pointer()).append(' ').append(error.detail());
        }
        return message.toString();
    }

    public int status() {
        return status;
    }

    /** The problem type URI; {@code about:blank} when the answer was not a problem document. */
    public String type() {
        return type;
    }

    /** The type without {@value #TYPE_PREFIX} ({@code task-not-found}), or the type itself for another one. */
    public String slug() {
        return type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    public Optional<String> instance() {
        return Optional.ofNullable(instance);
    }

    /** The field errors of a {@code validation-failed} problem; empty otherwise. */
    public List<FieldError> errors() {
        return errors;
    }

    /** The server's {@code Retry-After}, if it sent one. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** The answer's body as received. */
    public String body() {
        return body;
    }

    /** 4xx: the request must change before it can succeed (except 429, which is retried). */
    public boolean isClientError() {
        return status >= 400 && status < 500;
    }

    public boolean isServerError() {
        return status >= 500;
    }
}
