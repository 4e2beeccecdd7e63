package dev.agenttasks.domain.breaker;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import dev.agenttasks.domain.port.BreakerKey;

/**
 * A {@link BreakerListener} that counts, for metrics: {@link #drain()} returns the counts since the last
 * drain under the metric names below (only those that moved), e.g. for one EMF line per invocation.
 */
public final class BreakerCounters implements BreakerListener {

    /** Breakers this container opened from closed. */
    public static final String OPENED = "BreakerOpened";
    /** Probes this container started (open → half-open). */
    public static final String PROBES = "BreakerProbes";
    /** Probes of this container that failed (half-open → open). */
    public static final String REOPENED = "BreakerReopened";
    /** Breakers this container's probe closed. */
    public static final String CLOSED = "BreakerClosed";
    /** Fleet-wide rate-limit holds this container set or extended. */
    public static final String RATE_LIMIT_HOLDS = "BreakerRateLimitHolds";
    /** Reads or writes of the breaker table that failed, letting calls through unguarded. */
    public static final String FAIL_OPEN = "BreakerFailOpen";

    private final Map<String, LongAdder> counts = new LinkedHashMap<>();

    public BreakerCounters() {
        for (String name : new String[] {OPENED, PROBES, REOPENED, CLOSED, RATE_LIMIT_HOLDS, FAIL_OPEN}) {
            counts.put(name, new LongAdder());
        }
    }

    @Override
    public void onTransition(BreakerKey key, BreakerState from, BreakerState to) {
        if (to == BreakerState.CLOSED) {
            counts.get(CLOSED).increment();
        } else if (to == BreakerState.HALF_OPEN) {
            counts.get(PROBES).increment();
        } else if (from == BreakerState.HALF_OPEN) {
            counts.get(REOPENED).increment();
        } else {
            counts.get(OPENED).increment();
        }
    }

    @Override
    public void onRateLimited(BreakerKey key, Instant until) {
        counts.get(RATE_LIMIT_HOLDS).increment();
    }

    @Override
    public void onFailOpen(BreakerKey key, String operation, RuntimeException error) {
        counts.get(FAIL_OPEN).increment();
    }

    /** The count under {@code name} since the last drain. */
    public long get(String name) {
        LongAdder adder = counts.get(name);
        if (adder == null) {
            throw new IllegalArgumentException("no breaker counter named " + name);
        }
        return adder.sum();
    }

    /** The counts that moved since the last drain, by metric name, and resets them. */
    public Map<String, Long> drain() {
        Map<String, Long> moved = new LinkedHashMap<>();
        counts.forEach((name, adder) -> {
            long value = adder.sumThenReset();
            if (value != 0) {
                moved.put(name, value);
            }
        });
        return moved;
    }
}
