package dev.agenttasks.domain.task;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a task's webhook stands. A task with a {@code callback_url} has none until it finishes; then its webhook is
 * owed ({@link Status#PENDING}) until a delivery is answered with a 2xx ({@link Status#DELIVERED}) or the attempts
 * run out ({@link Status#FAILED}). {@code lastError} is a stable code (e.g. {@code http_500}, {@code timeout}), never
 * the receiver's text; {@code nextAttemptAt} is set while a retry waits.
 */
public record Callback(Status status, int attempts, String lastError, Instant nextAttemptAt) {

    public enum Status {
        PENDING("pending"), DELIVERED("delivered"), FAILED("failed");

        private final String value;

        Status(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        public static Status fromValue(String value) {
            for (Status status : values()) {
                if (status.value.equals(value)) {
                    return status;
                }
            }
            throw new IllegalArgumentException("unknown callback status: " + value);
        }
    }

    public Callback {
        Objects.requireNonNull(status, "status");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative");
        }
    }

    /** Owed, not yet tried. */
    public static Callback owed() {
        return new Callback(Status.PENDING, 0, null, null);
    }

    public boolean isSettled() {
        return status != Status.PENDING;
    }
}
