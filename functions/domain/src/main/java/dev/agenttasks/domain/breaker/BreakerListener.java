package dev.agenttasks.domain.breaker;

import java.time.Instant;

import dev.agenttasks.domain.port.BreakerKey;

/**
 * Hears what a container's {@link SharedCircuitBreaker} did. Each transition is reported by the one worker
 * whose conditional write made it, so summing over the fleet counts every transition once. Called on the
 * calling thread; implementations must be quick and thread-safe. Every method does nothing by default.
 */
public interface BreakerListener {

    /** Does nothing. */
    BreakerListener NONE = new BreakerListener() {
    };

    /** This worker moved the breaker from {@code from} to {@code to}. */
    default void onTransition(BreakerKey key, BreakerState from, BreakerState to) {
    }

    /** This worker set (or extended) a fleet-wide rate-limit hold until {@code until}. */
    default void onRateLimited(BreakerKey key, Instant until) {
    }

    /** The breaker table could not be reached during {@code operation}: calls go through unguarded. */
    default void onFailOpen(BreakerKey key, String operation, RuntimeException error) {
    }
}
