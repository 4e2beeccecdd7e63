package dev.agenttasks.api;

/**
 * Every problem the API answers with (RFC 9457). The {@link #uri()} is stable: clients may switch on it.
 * docs/api.md lists them all.
 */
public enum ProblemType {
    MALFORMED_REQUEST("malformed-request", 400, "Malformed request"),
    INVALID_QUERY("invalid-query", 400, "Invalid query parameter"),
    INVALID_PREFERENCE("invalid-preference", 400, "Invalid preference"),
    INVALID_IDEMPOTENCY_KEY("invalid-idempotency-key", 400, "Invalid Idempotency-Key"),
    UNAUTHENTICATED("unauthenticated", 401, "Authentication required"),
    NOT_FOUND("not-found", 404, "Not found"),
    TASK_NOT_FOUND("task-not-found", 404, "Task not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    TASK_NOT_CANCELLABLE("task-not-cancellable", 409, "Task not cancellable"),
    PROMPT_TOO_LARGE("prompt-too-large", 413, "Prompt too large"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    VALIDATION_FAILED("validation-failed", 422, "Validation failed"),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, "Idempotency key reused"),
    SERVICE_UNAVAILABLE("service-unavailable", 503, "Service unavailable"),
    INTERNAL_ERROR("internal-error", 500, "Internal error");

    public static final String URI_PREFIX = "urn:agent-tasks:problem:";

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public String uri() {
        return URI_PREFIX + slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}
