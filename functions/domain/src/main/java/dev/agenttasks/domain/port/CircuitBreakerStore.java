package dev.agenttasks.domain.port;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where the fleet's circuit breakers live (one record per {@link BreakerKey}). Every change is one
 * conditional write that either applies or is refused; either way it answers with the record as it now
 * stands, so the caller never needs a second read. Times are kept to the millisecond.
 *
 * <p>Every method throws {@link DependencyUnavailableException} when the store cannot be reached; the
 * breaker then fails open.
 */
public interface CircuitBreakerStore {

    /**
     * The outcome of a conditional write.
     *
     * @param applied whether the condition held and the change was made
     * @param record  the record after the write, or as it stands when refused ({@link BreakerRecord#closed} if absent)
     */
    record Write(boolean applied, BreakerRecord record) {
    }

    /** The breaker's record; empty if it was never written (a closed breaker with no failures). */
    Optional<BreakerRecord> find(BreakerKey key);

    /** Every stored breaker (the table holds one item per provider and model: a scan is fine). */
    List<BreakerRecord> findAll();

    /**
     * Adds one failure to {@code slot} and removes {@code staleSlots}, only while the breaker is closed
     * (or absent). Concurrent calls never lose a count.
     */
    Write recordFailure(BreakerKey key, Instant slot, Set<Instant> staleSlots, Instant now);

    /**
     * Opens a closed breaker until {@code openUntil}, only if its {@code countedAfter} is still
     * {@code seenCountedAfter} (null: unset), i.e. it has not opened, closed or been forced closed since the
     * caller counted its failures. Sets {@code openedAt} and {@code countedAfter} to {@code now}, no failed probes.
     */
    Write open(BreakerKey key, Instant seenCountedAfter, Instant now, Instant openUntil);

    /**
     * Takes the probe right until {@code expiresAt}, only if the breaker is open, {@code openUntil} has come
     * and no one holds a live right. Of any number of concurrent callers, at most one succeeds.
     */
    Write tryAcquireProbe(BreakerKey key, String owner, Instant now, Instant expiresAt);

    /**
     * Closes the breaker, only if {@code owner} holds the probe right; sets a rate-limit hold if one is given.
     * Failures already counted stay behind {@code countedAfter}.
     */
    Write close(BreakerKey key, String owner, Instant now, Optional<Instant> rateLimitedUntil);

    /** Re-opens until {@code openUntil} after a failed probe, only if {@code owner} holds the probe right. */
    Write reopen(BreakerKey key, String owner, Instant now, Instant openUntil, int failedProbes);

    /** Gives the probe right back without a verdict, only if {@code owner} holds it: the next caller probes. */
    Write releaseProbe(BreakerKey key, String owner, Instant now);

    /** Holds calls until {@code until}, only while closed (or absent) and only to extend an existing hold. */
    Write holdForRateLimit(BreakerKey key, Instant until, Instant now);

    /** Opens the breaker until {@code until}, whatever its state (operators, tests). */
    void forceOpen(BreakerKey key, Instant now, Instant until);

    /** Closes the breaker and forgets its failures, probe and rate-limit hold, whatever its state. */
    void forceClose(BreakerKey key, Instant now);
}
