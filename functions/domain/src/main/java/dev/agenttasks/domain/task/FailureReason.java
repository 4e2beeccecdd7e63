package dev.agenttasks.domain.task;

import java.util.Locale;

/** Why a task failed: the family of its {@link TaskError#code()}, e.g. for a metric's dimension. */
public enum FailureReason {
    /** The provider refused the request for good (a 4xx that is not a rate limit): {@code provider_<code>}. */
    PROVIDER_REJECTED,
    /** Transient provider errors until the attempts ran out. */
    ATTEMPTS_EXHAUSTED,
    /** Not finished within the task's maximum age. */
    DEADLINE_EXCEEDED,
    /** Its queue message was received too many times without an outcome. */
    DEAD_LETTERED,
    /** The task's token cap would be exceeded by another attempt. */
    BUDGET_EXCEEDED,
    /** The system prompt and the task no longer fit the tier's input limit (its configuration changed). */
    PROMPT_TOO_LARGE;

    /** The error code of every reason but {@link #PROVIDER_REJECTED}, which carries the provider's code. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason a stored code belongs to; unknown codes (older records) count as provider rejections. */
    public static FailureReason ofCode(String code) {
        for (FailureReason reason : values()) {
            if (reason != PROVIDER_REJECTED && reason.code().equals(code)) {
                return reason;
            }
        }
        return PROVIDER_REJECTED;
    }
}
