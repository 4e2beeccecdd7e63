package dev.agenttasks.domain.task;

import java.time.Instant;
import java.util.Objects;

/**
 * Why a pending task waits without being worked on: its model's circuit breaker is open, or the provider
 * rate-limited the model, until {@code until}. Cleared when a worker claims the task again.
 */
public record Waiting(Reason reason, String model, Instant until) {

    public enum Reason {
        CIRCUIT_OPEN, RATE_LIMITED;

        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Reason fromValue(String value) {
            return valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public Waiting {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(until, "until");
    }
}
