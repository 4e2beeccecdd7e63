package dev.agenttasks.domain.breaker;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.agenttasks.domain.port.BreakerKey;
import dev.agenttasks.domain.port.BreakerRecord;

/**
 * One breaker as an operator sees it at {@code at}.
 *
 * @param failuresInWindow transient failures counted in the current window (closed breakers)
 * @param openedAt         when it opened from closed (open and half-open), else null
 * @param openUntil        when the next probe may start (open), else null
 * @param probeExpiresAt   when the live probe right lapses, if a worker is probing, else null
 * @param rateLimitedUntil the fleet-wide rate-limit hold, if one is in force, else null
 */
public record BreakerStatus(BreakerKey key, BreakerState state, long failuresInWindow, Instant openedAt,
                            Instant openUntil, int failedProbes, Instant probeExpiresAt, Instant rateLimitedUntil,
                            Instant at) {

    public static BreakerStatus of(BreakerRecord record, Instant now, Duration window) {
        BreakerState state = !record.open() ? BreakerState.CLOSED
                : now.isBefore(record.openUntil()) ? BreakerState.OPEN : BreakerState.HALF_OPEN;
        return new BreakerStatus(record.key(), state,
                record.open() ? 0 : record.failuresInWindow(now, window),
                record.open() ? record.openedAt() : null,
                record.open() ? record.openUntil() : null,
                record.failedProbes(),
                record.probeLive(now) ? record.probeExpiresAt() : null,
                record.rateLimitedAt(now) ? record.rateLimitedUntil() : null,
                now);
    }

    /** How long it has been open (or half-open) since it opened from closed; empty when closed. */
    public Optional<Duration> openFor() {
        if (state == BreakerState.CLOSED || openedAt == null) {
            return Optional.empty();
        }
        return Optional.of(openedAt.isBefore(at) ? Duration.between(openedAt, at) : Duration.ZERO);
    }
}
