package dev.agenttasks.domain.breaker;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.DoubleSupplier;

import dev.agenttasks.domain.port.BreakerKey;

/**
 * The answer to {@link SharedCircuitBreaker#acquire}: call the provider ({@link Allowed}, {@link Probe}) or
 * not ({@link Held}). Every permit that allowed a call is reported back exactly once with its outcome.
 */
public sealed interface Permit permits Permit.Allowed, Permit.Probe, Permit.Held {

    BreakerKey key();

    /** Whether the worker may make the call. */
    boolean callAllowed();

    /** The breaker is closed (or its table unreachable): make the call. */
    record Allowed(BreakerKey key) implements Permit {
        public Allowed {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean callAllowed() {
            return true;
        }
    }

    /**
     * This worker holds the fleet's only probe right: its call decides whether the breaker closes. The right
     * lapses at {@code expiresAt} if never reported.
     *
     * @param failedProbes probes that failed before this one since the breaker opened
     */
    record Probe(BreakerKey key, String owner, Instant expiresAt, int failedProbes) implements Permit {
        public Probe {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        @Override
        public boolean callAllowed() {
            return true;
        }
    }

    /** Why calls are held. */
    enum Reason {
        /** The breaker is open, or another worker is probing. */
        CIRCUIT_OPEN,
        /** The provider rate-limited this model and said until when. */
        RATE_LIMITED
    }

    /** Do not call before {@code until}: hand the task back without charging an attempt. */
    record Held(BreakerKey key, Reason reason, Instant until) implements Permit {

        /** Jitter is at least this wide, so tasks held until the same instant do not all come back in it. */
        public static final Duration MIN_JITTER = Duration.ofSeconds(1);

        public Held {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(until, "until");
        }

        @Override
        public boolean callAllowed() {
            return false;
        }

        /**
         * How long to wait from {@code now}: until {@code until}, plus a jitter uniform in
         * {@code [0, max(1 s, wait / 5))} so held tasks come back spread out rather than all at once.
         *
         * @param random uniform in [0, 1)
         */
        public Duration delayFrom(Instant now, DoubleSupplier random) {
            Duration wait = now.isBefore(until) ? Duration.between(now, until) : Duration.ZERO;
            Duration spread = wait.dividedBy(5).compareTo(MIN_JITTER) > 0 ? wait.dividedBy(5) : MIN_JITTER;
            return wait.plusMillis((long) (random.getAsDouble() * spread.toMillis()));
        }
    }
}
