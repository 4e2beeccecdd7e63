package dev.agenttasks.domain.breaker;

import java.time.Duration;
import java.util.Objects;

import dev.agenttasks.config.Config;

/**
 * How the shared circuit breakers count, open, probe and hold. Build with {@link #ofDefaults()},
 * {@link #from(Config)} or {@link #custom()}.
 *
 * @param failureThreshold transient failures within {@code window} that open a breaker
 * @param window           the failure-counting window (counted in {@link #slotLength() slots})
 * @param recovery         how long a breaker stays open before the first probe
 * @param maxOpen          the longest a breaker stays open between probes: after the n-th failed probe it
 *                         stays open {@code min(recovery × 2^n, maxOpen)}
 * @param probeRight       how long a probe right lasts if its holder never reports: the call timeout plus
 *                         {@link #PROBE_MARGIN}, so a live prober always reports in time and a dead one wedges
 *                         nothing for longer than that
 * @param cacheTtl         how long a container trusts the state it last read or wrote
 * @param probePendingHold while another worker probes, how long callers are held before they look again
 * @param maxRateLimitHold the longest hold a provider's rate-limit hint can impose on the fleet
 */
public record BreakerConfig(int failureThreshold, Duration window, Duration recovery, Duration maxOpen,
                            Duration probeRight, Duration cacheTtl, Duration probePendingHold,
                            Duration maxRateLimitHold) {

    public static final int DEFAULT_FAILURE_THRESHOLD = Config.DEFAULT_BREAKER_FAILURE_THRESHOLD;
    public static final Duration DEFAULT_WINDOW = Config.DEFAULT_BREAKER_WINDOW;
    public static final Duration DEFAULT_RECOVERY = Config.DEFAULT_BREAKER_RECOVERY;
    /** Ten times the default recovery: 30 s, 60 s, 120 s, 240 s, then every 5 minutes during a long outage. */
    public static final Duration DEFAULT_MAX_OPEN = Duration.ofMinutes(5);
    /** Covers the conditional write that reports the probe and clock skew between containers. */
    public static final Duration PROBE_MARGIN = Duration.ofSeconds(5);
    public static final Duration DEFAULT_PROBE_RIGHT = Config.DEFAULT_LLM_TIMEOUT.plus(PROBE_MARGIN);
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_PROBE_PENDING_HOLD = Duration.ofSeconds(5);
    /** A longer hint (a daily quota) would stop the fleet for hours on one header; one call per 5 minutes re-asks. */
    public static final Duration DEFAULT_MAX_RATE_LIMIT_HOLD = Duration.ofMinutes(5);
    /** The window is counted in this many slots: a failure counts for between 9/10 of the window and all of it. */
    public static final int SLOTS_PER_WINDOW = 10;

    public BreakerConfig {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be at least 1, got " + failureThreshold);
        }
        requirePositive(window, "window");
        requirePositive(recovery, "recovery");
        requirePositive(maxOpen, "maxOpen");
        requirePositive(probeRight, "probeRight");
        requirePositive(probePendingHold, "probePendingHold");
        requirePositive(maxRateLimitHold, "maxRateLimitHold");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("cacheTtl must not be negative, got " + cacheTtl);
        }
        if (maxOpen.compareTo(recovery) < 0) {
            throw new IllegalArgumentException("maxOpen (" + maxOpen + ") must be at least recovery (" + recovery + ")");
        }
    }

    public static BreakerConfig ofDefaults() {
        return custom().build();
    }

    /** The service's settings: {@code BREAKER_*}, and the probe right from {@code LLM_TIMEOUT_MS}. */
    public static BreakerConfig from(Config config) {
        Config.Breaker breaker = config.breaker();
        return custom()
                .failureThreshold(breaker.failureThreshold())
                .window(breaker.window())
                .recovery(breaker.recovery())
                .maxOpen(breaker.recovery().compareTo(DEFAULT_MAX_OPEN) > 0 ? breaker.recovery() : DEFAULT_MAX_OPEN)
                .probeRightFromCallTimeout(config.llmTimeout())
                .build();
    }

    public static Builder custom() {
        return new Builder();
    }

    /**
     * The length of a failure-counting slot: a tenth of the window, and never longer than {@code recovery},
     * so the slot in which a breaker closes always starts after the one in which it opened.
     */
    public Duration slotLength() {
        Duration tenth = window.dividedBy(SLOTS_PER_WINDOW);
        Duration slot = tenth.compareTo(recovery) <= 0 ? tenth : recovery;
        return slot.toMillis() < 1 ? Duration.ofMillis(1) : Duration.ofMillis(slot.toMillis());
    }

    /** How long the breaker stays open after {@code failedProbes} failed probes: {@code min(recovery × 2^n, maxOpen)}. */
    public Duration openDuration(int failedProbes) {
        Duration open = recovery;
        for (int i = 0; i < failedProbes && open.compareTo(maxOpen) < 0; i++) {
            open = open.multipliedBy(2);
        }
        return open.compareTo(maxOpen) < 0 ? open : maxOpen;
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
    }

    /** Builds a {@link BreakerConfig}; every setting starts at its default. */
    public static final class Builder {
        private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
        private Duration window = DEFAULT_WINDOW;
        private Duration recovery = DEFAULT_RECOVERY;
        private Duration maxOpen = DEFAULT_MAX_OPEN;
        private Duration probeRight = DEFAULT_PROBE_RIGHT;
        private Duration cacheTtl = DEFAULT_CACHE_TTL;
        private Duration probePendingHold = DEFAULT_PROBE_PENDING_HOLD;
        private Duration maxRateLimitHold = DEFAULT_MAX_RATE_LIMIT_HOLD;

        private Builder() {
        }

        public Builder failureThreshold(int failureThreshold) {
            this.failureThreshold = failureThreshold;
            return this;
        }

        public Builder window(Duration window) {
            this.window = window;
            return this;
        }

        public Builder recovery(Duration recovery) {
            this.recovery = recovery;
            return this;
        }

        public Builder maxOpen(Duration maxOpen) {
            this.maxOpen = maxOpen;
            return this;
        }

        public Builder probeRight(Duration probeRight) {
            this.probeRight = probeRight;
            return this;
        }

        /** The probe right for calls that time out after {@code callTimeout}: that plus {@link #PROBE_MARGIN}. */
        public Builder probeRightFromCallTimeout(Duration callTimeout) {
            this.probeRight = callTimeout.plus(PROBE_MARGIN);
            return this;
        }

        public Builder cacheTtl(Duration cacheTtl) {
            this.cacheTtl = cacheTtl;
            return this;
        }

        public Builder probePendingHold(Duration probePendingHold) {
            this.probePendingHold = probePendingHold;
            return this;
        }

        public Builder maxRateLimitHold(Duration maxRateLimitHold) {
            this.maxRateLimitHold = maxRateLimitHold;
            return this;
        }

        public BreakerConfig build() {
            return new BreakerConfig(failureThreshold, window, recovery, maxOpen, probeRight, cacheTtl,
                    probePendingHold, maxRateLimitHold);
        }
    }
}
