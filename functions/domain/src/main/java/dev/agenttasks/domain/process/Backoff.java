package dev.agenttasks.domain.process;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the wait before attempt {@code n + 1} is uniform in
 * {@code [0, min(max, base * 2^(n-1))]}, and never shorter than the provider's own hint.
 */
public final class Backoff {

    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;

    public Backoff(Duration base, Duration max, DoubleSupplier random) {
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** A uniform draw in [0, 1) from this backoff's source, for other jitter. */
    public double draw() {
        return random.getAsDouble();
    }

    /**
     * @param attemptsMade calls made so far on the task (1 after the first)
     * @param providerHint the provider's Retry-After or rate-limit reset, or zero
     */
    public Duration delay(int attemptsMade, Duration providerHint) {
        int exponent = Math.max(0, Math.min(attemptsMade - 1, 30));
        long ceiling = Math.min(max.toMillis(), base.toMillis() * (1L << exponent));
        long jittered = (long) Math.floor(random.getAsDouble() * (ceiling + 1));
        long hinted = providerHint == null ? 0 : providerHint.toMillis();
        return Duration.ofMillis(Math.max(Math.min(jittered, ceiling), hinted));
    }
}
