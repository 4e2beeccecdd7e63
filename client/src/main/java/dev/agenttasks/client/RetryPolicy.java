package dev.agenttasks.client;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a failed request is sent again: after a network error, a {@code 429} or a {@code 5xx}, never after
 * another {@code 4xx}; at most {@code maxAttempts} sends in all. Before retry {@code n} (1, 2, ...) the client
 * waits a random time from zero to {@code min(maxDelay, baseDelay * 2^(n-1))} ("full jitter"), or the server's
 * {@code Retry-After} when that is longer. A {@code Retry-After} beyond {@code maxRetryAfter} is not waited
 * for: the error is returned with it.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxRetryAfter) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0 || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay and maxRetryAfter >= 0");
        }
    }

    /** 5 attempts, 250 ms doubling to at most 8 s, Retry-After honoured up to 60 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(250), Duration.ofSeconds(8), Duration.ofSeconds(60));
    }

    /** One attempt, no retry. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    /** Whether an answer with this status is worth sending again. */
    public static boolean retryable(int status) {
        return status == 429 || status >= 500;
    }

    /** The exponential ceiling before retry {@code retry} (1-based): {@code min(maxDelay, baseDelay * 2^(retry-1))}. */
    public Duration ceiling(int retry) {
        long base = baseDelay.toMillis();
        int shift = Math.min(Math.max(retry - 1, 0), 30);
        long ceiling = base > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : base << shift;
        return Duration.ofMillis(Math.min(ceiling, maxDelay.toMillis()));
    }

    /**
     * The wait before retry {@code retry}: full jitter under {@link #ceiling}, or the server's
     * {@code retryAfter} when longer.
     */
    public Duration delay(int retry, Optional<Duration> retryAfter, RandomGenerator random) {
        long ceiling = ceiling(retry).toMillis();
        Duration jittered = Duration.ofMillis(ceiling == 0 ? 0 : random.nextLong(ceiling + 1));
        return retryAfter.filter(after -> after.compareTo(jittered) > 0).orElse(jittered);
    }
}
