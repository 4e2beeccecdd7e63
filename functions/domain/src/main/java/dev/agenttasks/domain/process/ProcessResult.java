package dev.agenttasks.domain.process;

import java.time.Duration;

/**
 * What to do with a task's message: acknowledge it ({@link #done()}), or hand it back to the queue to
 * come again after {@code retryDelay}.
 */
public record ProcessResult(boolean redeliver, Duration retryDelay, String reason) {

    public static ProcessResult done(String reason) {
        return new ProcessResult(false, Duration.ZERO, reason);
    }

    public static ProcessResult redeliverAfter(Duration delay, String reason) {
        return new ProcessResult(true, delay, reason);
    }
}
