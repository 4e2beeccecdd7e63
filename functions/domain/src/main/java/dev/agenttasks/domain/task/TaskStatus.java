package dev.agenttasks.domain.task;

import java.util.Locale;

/** A task's lifecycle: pending → running → complete | failed; running → pending on release. */
public enum TaskStatus {
    PENDING, RUNNING, COMPLETE, FAILED, CANCELLED;

    /** The wire and storage form: lower case. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return this == COMPLETE || this == FAILED || this == CANCELLED;
    }

    public static TaskStatus fromValue(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
