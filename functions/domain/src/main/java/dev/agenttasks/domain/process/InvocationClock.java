package dev.agenttasks.domain.process;

import java.time.Duration;

/** How much time the current invocation has left (Lambda's remaining time, or a local stand-in). */
@FunctionalInterface
public interface InvocationClock {

    Duration remaining();

    static InvocationClock unlimited() {
        return () -> Duration.ofDays(1);
    }
}
