package dev.agenttasks.client;

import java.util.Locale;

/** A task's status as the API reports it. */
public enum TaskStatus {
    PENDING, RUNNING, COMPLETE, FAILED, CANCELLED,
    /** A status this client does not know yet (a newer server); treated as not terminal. */
    UNKNOWN;

    /** Complete, failed or cancelled: the task will not change again. */
    public boolean isTerminal() {
        return this == COMPLETE || this == FAILED || this == CANCELLED;
    }

    /** The wire value, e.g. {@code "complete"}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status for a wire value; {@link #UNKNOWN} for one this client does not know. */
    public static TaskStatus of(String value) {
        for (TaskStatus status : values()) {
            if (status != UNKNOWN && status.value().equals(value)) {
                return status;
            }
        }
        return UNKNOWN;
    }
}
