package dev.agenttasks.domain.breaker;

import java.util.Locale;
import java.util.Map;

import dev.agenttasks.domain.metrics.Metric;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.BreakerKey;

/** Publishes what the breaker does as metrics: {@code BreakerTransitions{Model,To}} and {@code BreakerFailOpen}. */
public final class BreakerMetrics implements BreakerListener {

    private final Metrics metrics;

    public BreakerMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void onTransition(BreakerKey key, BreakerState from, BreakerState to) {
        metrics.line(Map.of("Model", key.model(), "To", to.name().toLowerCase(Locale.ROOT)))
                .put(Metric.BREAKER_TRANSITIONS, 1).emit();
    }

    @Override
    public void onFailOpen(BreakerKey key, String operation, RuntimeException error) {
        metrics.put(Metric.BREAKER_FAIL_OPEN, 1);
    }
}
