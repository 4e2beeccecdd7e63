package dev.agenttasks.domain.breaker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agenttasks.domain.breaker.Permit.Allowed;
import dev.agenttasks.domain.breaker.Permit.Held;
import dev.agenttasks.domain.breaker.Permit.Probe;
import dev.agenttasks.domain.breaker.Permit.Reason;
import dev.agenttasks.domain.port.BreakerKey;
import dev.agenttasks.domain.port.BreakerRecord;
import dev.agenttasks.domain.port.CircuitBreakerStore;
import dev.agenttasks.domain.port.CircuitBreakerStore.Write;
import dev.agenttasks.domain.port.LlmException;

/**
 * The fleet-wide circuit breakers, one per provider and model, as one container sees them: build one per
 * container and share it between threads.
 *
 * <ul>
 *   <li><b>Closed</b>: calls go through. A transient failure adds one to a windowed counter in the store
 *       (an atomic add, so concurrent workers never lose a count); the write that brings the count within
 *       the window to {@code failureThreshold} opens the breaker with a conditional write.</li>
 *   <li><b>Open</b>: every worker's calls are {@link Held} until the open time ends.</li>
 *   <li><b>Half-open</b>: exactly one worker in the fleet wins the probe right with a conditional write and
 *       makes a real task's call; the others are held. Success closes the breaker; a transient failure
 *       re-opens it for {@code min(recovery × 2^n, maxOpen)} after the n-th failed probe; a caller-fault
 *       error gives the right back at once. A right never reported lapses after {@code probeRight}.</li>
 *   <li><b>Rate limited</b>: a 429 with a wait hint holds every worker's calls to that model until then;
 *       it does not count as a failure.</li>
 * </ul>
 *
 * <p>Cost: a success while closed writes nothing; state is read at most once per {@code cacheTtl} per
 * breaker per container, and every write's answer refreshes that cache. If the store cannot be reached the
 * breaker fails open: calls go through, and the {@link BreakerListener} hears it.
 */
public final class SharedCircuitBreaker {

    private static final Logger LOG = LoggerFactory.getLogger(SharedCircuitBreaker.class);
    private static final int HTTP_TOO_MANY_REQUESTS = 429;

    private final CircuitBreakerStore store;
    private final BreakerConfig config;
    private final Clock clock;
    private final BreakerListener listener;
    private final ConcurrentMap<BreakerKey, CachedState> cache = new ConcurrentHashMap<>();

    private SharedCircuitBreaker(CircuitBreakerStore store, BreakerConfig config, Clock clock, BreakerListener listener) {
        this.store = Objects.requireNonNull(store, "store");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public static SharedCircuitBreaker of(CircuitBreakerStore store, BreakerConfig config, Clock clock,
                                          BreakerListener listener) {
        return new SharedCircuitBreaker(store, config, clock, listener);
    }

    /** Default settings, the system clock, nobody listening. */
    public static SharedCircuitBreaker ofDefaults(CircuitBreakerStore store) {
        return new SharedCircuitBreaker(store, BreakerConfig.ofDefaults(), Clock.systemUTC(), BreakerListener.NONE);
    }

    public BreakerConfig config() {
        return config;
    }

    /**
     * Asks to call {@code model} at {@code provider} once. {@link Allowed} and {@link Probe} permit the call,
     * whose outcome must then be reported once ({@link #onSuccess}, {@link #onFailure} or one of the
     * specific reports, or {@link #release} if no call was made). {@link Held} permits nothing.
     */
    public Permit acquire(String provider, String model) {
        BreakerKey key = BreakerKey.of(provider, model);
        Instant now = clock.instant();
        BreakerRecord record = view(key, now);
        Optional<Held> held = hold(record, now).or(() -> openingHere(record, now));
        if (held.isPresent()) {
            return held.get();
        }
        return record.open() ? tryProbe(key, now) : new Allowed(key);
    }

    /**
     * Looks again, just before the call, at a permit taken earlier (counting the attempt may have taken a while):
     * the hold that has since begun, if any, or empty to make the call. A probe always stands. The caller gives a
     * permit it no longer uses back with {@link #release}.
     */
    public Optional<Held> recheck(Permit permit) {
        if (!(permit instanceof Allowed)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        BreakerRecord record = view(permit.key(), now);
        return hold(record, now)
                .or(() -> record.open() ? Optional.of(new Held(permit.key(), Reason.CIRCUIT_OPEN,
                        now.plus(config.probePendingHold()))) : Optional.empty())
                .or(() -> openingHere(record, now));
    }

    /**
     * The fallback hook: a permit for the first of {@code models} (in order of preference) whose breaker
     * permits a call, or, if every one is held, the hold that ends first. Stops at the first permit, so no
     * probe right is taken for a model that will not be called.
     */
    public Permit acquireFirst(String provider, List<String> models) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no model to acquire");
        }
        Held earliest = null;
        for (String model : models) {
            Permit permit = acquire(provider, model);
            if (permit instanceof Held held) {
                earliest = earliest == null || held.until().isBefore(earliest.until()) ? held : earliest;
            } else {
                return permit;
            }
        }
        return earliest;
    }

    /** The call succeeded. A probe closes the breaker; any other call writes nothing. */
    public void onSuccess(Permit permit) {
        if (requireCalled(permit) instanceof Probe probe) {
            close(probe, Optional.empty());
        }
    }

    /**
     * Reports a failed call by its classification: a permanent error as {@link #onCallerError}, a 429 with a
     * wait hint as {@link #onRateLimited}, any other transient error as {@link #onTransientFailure}.
     */
    public void onFailure(Permit permit, LlmException error) {
        if (!error.isTransient()) {
            onCallerError(permit);
        } else if (error.httpStatus().orElse(0) == HTTP_TOO_MANY_REQUESTS && error.retryAfter().isPresent()) {
            onRateLimited(permit, error.retryAfter().get());
        } else {
            onTransientFailure(permit);
        }
    }

    /**
     * The provider failed transiently (5xx, timeout, connection error, a 429 without a wait hint). Counts one
     * failure (a probe's re-opens the breaker).
     */
    public void onTransientFailure(Permit permit) {
        if (requireCalled(permit) instanceof Probe probe) {
            reopen(probe);
        } else {
            recordFailure(permit.key());
        }
    }

    /**
     * The provider answered 429 and asked to wait {@code retryAfter}: every worker's calls to this model are
     * held until then (at most {@code maxRateLimitHold}). Not a failure: the provider is up and said exactly
     * when to come back. A probe that gets it closes the breaker with the hold in place. Without a positive
     * hint, the 429 counts as a transient failure.
     */
    public void onRateLimited(Permit permit, Duration retryAfter) {
        requireCalled(permit);
        if (retryAfter == null || retryAfter.isZero() || retryAfter.isNegative()) {
            onTransientFailure(permit);
            return;
        }
        Instant now = clock.instant();
        Duration hold = retryAfter.compareTo(config.maxRateLimitHold()) < 0 ? retryAfter : config.maxRateLimitHold();
        Instant until = now.plus(hold);
        if (permit instanceof Probe probe) {
            close(probe, Optional.of(until));
            return;
        }
        BreakerKey key = permit.key();
        BreakerRecord seen = lastSeen(key);
        if (seen.open() || (seen.rateLimitedUntil() != null && !seen.rateLimitedUntil().isBefore(until))) {
            return;
        }
        Write write;
        try {
            write = store.holdForRateLimit(key, until, now);
        } catch (RuntimeException e) {
            failOpen(key, "hold for a rate limit", e);
            return;
        }
        remember(key, write.record(), now);
        if (write.applied()) {
            LOG.info("circuit breaker {}: provider rate limit, calls held fleet-wide until {}", key, until);
            notify(() -> listener.onRateLimited(key, until));
        }
    }

    /**
     * The call failed for a reason of the caller's own (a permanent 4xx): says nothing about the provider's
     * health and never counts. A probe that gets one gives its right back, so the next worker probes with
     * another task at once.
     */
    public void onCallerError(Permit permit) {
        release(requireCalled(permit));
    }

    /** No call was made after all (e.g. the task's lease was lost). A probe right is given back. */
    public void release(Permit permit) {
        if (permit instanceof Probe probe) {
            Instant now = clock.instant();
            try {
                Write write = store.releaseProbe(probe.key(), probe.owner(), now);
                remember(probe.key(), write.record(), now);
            } catch (RuntimeException e) {
                failOpen(probe.key(), "give the probe right back", e);
            }
        }
    }

    /** Every stored breaker's state, now (one scan of the store; throws if it cannot be reached). */
    public List<BreakerStatus> statuses() {
        Instant now = clock.instant();
        return store.findAll().stream()
                .map(record -> BreakerStatus.of(record, now, config.window()))
                .sorted(Comparator.comparing(status -> status.key().toString()))
                .toList();
    }

    /** How long the longest-open breaker has been open (zero if none is): the reconciler's gauge. */
    public Duration longestOpen() {
        return statuses().stream()
                .map(BreakerStatus::openFor)
                .flatMap(Optional::stream)
                .max(Comparator.naturalOrder())
                .orElse(Duration.ZERO);
    }

    /** Opens the breaker for {@code duration} whatever its state; after that, the usual probe. */
    public void forceOpen(String provider, String model, Duration duration) {
        BreakerKey key = BreakerKey.of(provider, model);
        Instant now = clock.instant();
        store.forceOpen(key, now, now.plus(duration));
        cache.remove(key);
        LOG.warn("circuit breaker {} forced open until {}", key, now.plus(duration));
    }

    /** Closes the breaker and forgets its failures, probe and rate-limit hold. */
    public void forceClose(String provider, String model) {
        BreakerKey key = BreakerKey.of(provider, model);
        store.forceClose(key, clock.instant());
        cache.remove(key);
        LOG.warn("circuit breaker {} forced closed", key);
    }

    private Permit tryProbe(BreakerKey key, Instant now) {
        String owner = UUID.randomUUID().toString();
        Instant expiresAt = now.plus(config.probeRight());
        Write write;
        try {
            write = store.tryAcquireProbe(key, owner, now, expiresAt);
        } catch (RuntimeException e) {
            failOpen(key, "acquire the probe right", e);
            return new Allowed(key);
        }
        remember(key, write.record(), now);
        if (write.applied()) {
            LOG.info("circuit breaker {} half-open: this worker probes (right until {})", key, expiresAt);
            notify(() -> listener.onTransition(key, BreakerState.OPEN, BreakerState.HALF_OPEN));
            return new Probe(key, owner, expiresAt, write.record().failedProbes());
        }
        BreakerRecord current = write.record();
        return hold(current, now).<Permit>map(held -> held)
                .orElseGet(() -> current.open() ? new Held(key, Reason.CIRCUIT_OPEN, now.plus(config.probePendingHold()))
                        : new Allowed(key));
    }

    private void recordFailure(BreakerKey key) {
        Instant now = clock.instant();
        BreakerRecord seen = lastSeen(key);
        if (seen.open()) {
            return; // the fleet has stopped already: a call that was in flight adds nothing
        }
        Instant slot = slotOf(now);
        Set<Instant> stale = new HashSet<>(seen.staleSlots(now, config.window()));
        stale.remove(slot);
        AtomicInteger beingRecorded = cache.computeIfAbsent(key, k -> new CachedState()).failuresBeingRecorded;
        beingRecorded.incrementAndGet();
        Write write;
        try {
            write = store.recordFailure(key, slot, stale, now);
        } catch (RuntimeException e) {
            failOpen(key, "record a failure", e);
            return;
        } finally {
            beingRecorded.decrementAndGet();
        }
        remember(key, write.record(), now);
        if (!write.applied()) {
            return;
        }
        long failures = write.record().failuresInWindow(now, config.window());
        if (failures >= config.failureThreshold()) {
            open(key, write.record(), now, failures);
        }
    }

    private void open(BreakerKey key, BreakerRecord counted, Instant now, long failures) {
        Instant until = now.plus(config.recovery());
        Write write;
        try {
            write = store.open(key, counted.countedAfter(), now, until);
        } catch (RuntimeException e) {
            failOpen(key, "open the breaker", e);
            return;
        }
        remember(key, write.record(), now);
        if (write.applied()) {
            LOG.warn("circuit breaker {} opened: {} transient failures within {} s; calls held until {}",
                    key, failures, config.window().toSeconds(), until);
            notify(() -> listener.onTransition(key, BreakerState.CLOSED, BreakerState.OPEN));
        }
    }

    private void reopen(Probe probe) {
        Instant now = clock.instant();
        int failedProbes = probe.failedProbes() + 1;
        Instant until = now.plus(config.openDuration(failedProbes));
        Write write;
        try {
            write = store.reopen(probe.key(), probe.owner(), now, until, failedProbes);
        } catch (RuntimeException e) {
            failOpen(probe.key(), "re-open the breaker", e);
            return;
        }
        remember(probe.key(), write.record(), now);
        if (write.applied()) {
            LOG.warn("circuit breaker {}: probe failed ({} in a row); open until {}", probe.key(), failedProbes, until);
            notify(() -> listener.onTransition(probe.key(), BreakerState.HALF_OPEN, BreakerState.OPEN));
        } else {
            LOG.info("circuit breaker {}: a late probe's failure is dropped (its right had lapsed)", probe.key());
        }
    }

    private void close(Probe probe, Optional<Instant> rateLimitedUntil) {
        Instant now = clock.instant();
        Write write;
        try {
            write = store.close(probe.key(), probe.owner(), now, rateLimitedUntil);
        } catch (RuntimeException e) {
            failOpen(probe.key(), "close the breaker", e);
            return;
        }
        remember(probe.key(), write.record(), now);
        if (write.applied()) {
            LOG.info("circuit breaker {} closed: the probe succeeded{}", probe.key(),
                    rateLimitedUntil.map(until -> " but was rate-limited; calls held until " + until).orElse(""));
            notify(() -> listener.onTransition(probe.key(), BreakerState.HALF_OPEN, BreakerState.CLOSED));
            rateLimitedUntil.ifPresent(until -> notify(() -> listener.onRateLimited(probe.key(), until)));
        } else {
            LOG.info("circuit breaker {}: a late probe's success is dropped (its right had lapsed)", probe.key());
        }
    }

    /** Why calls must wait, if they must: the open time, another worker's live probe, or a rate-limit hold. */
    private Optional<Held> hold(BreakerRecord record, Instant now) {
        Instant until = null;
        Reason reason = null;
        if (record.open() && now.isBefore(record.openUntil())) {
            until = record.openUntil();
            reason = Reason.CIRCUIT_OPEN;
        } else if (record.open() && record.probeLive(now)) {
            Instant lookAgain = now.plus(config.probePendingHold());
            until = record.probeExpiresAt().isBefore(lookAgain) ? record.probeExpiresAt() : lookAgain;
            reason = Reason.CIRCUIT_OPEN;
        }
        if (record.rateLimitedAt(now) && (until == null || record.rateLimitedUntil().isAfter(until))) {
            until = record.rateLimitedUntil();
            reason = Reason.RATE_LIMITED;
        }
        return until == null ? Optional.empty() : Optional.of(new Held(record.key(), reason, until));
    }

    /**
     * A hold this container knows of before the table does: the failures it is still writing, added to those it
     * last saw stored, reach the threshold, so the breaker is about to open (for the recovery time). Without it,
     * every call that starts while those writes are in flight (seconds, against a slow table) would go through.
     * Once the writes are answered (or fail: the breaker fails open), the stored state decides again.
     */
    private Optional<Held> openingHere(BreakerRecord record, Instant now) {
        CachedState cached = cache.get(record.key());
        int beingRecorded = cached == null ? 0 : cached.failuresBeingRecorded.get();
        if (beingRecorded == 0 || record.open()
                || record.failuresInWindow(now, config.window()) + beingRecorded < config.failureThreshold()) {
            return Optional.empty();
        }
        return Optional.of(new Held(record.key(), Reason.CIRCUIT_OPEN, now.plus(config.recovery())));
    }

    private Instant slotOf(Instant now) {
        long slot = config.slotLength().toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), slot) * slot);
    }

    private static Permit requireCalled(Permit permit) {
        if (!permit.callAllowed()) {
            throw new IllegalArgumentException("a held permit made no call to report: " + permit);
        }
        return permit;
    }

    /**
     * The breaker's state as this container knows it, read again once {@code cacheTtl} has passed. One thread
     * reads; the others meanwhile use the previous state rather than wait (they wait only for the first read).
     */
    private BreakerRecord view(BreakerKey key, Instant now) {
        CachedState cached = cache.computeIfAbsent(key, k -> new CachedState());
        Snapshot snapshot = cached.snapshot;
        if (fresh(snapshot, now)) {
            return snapshot.record();
        }
        if (snapshot == null) {
            cached.reading.lock();
        } else if (!cached.reading.tryLock()) {
            return snapshot.record();
        }
        try {
            snapshot = cached.snapshot;
            if (fresh(snapshot, now)) {
                return snapshot.record();
            }
            Optional<BreakerRecord> record = read(key);
            if (record.isPresent()) {
                cached.snapshot = new Snapshot(record.get(), now);
                return record.get();
            }
            // The table could not be read. A hold this container already knows of still holds; otherwise the
            // breaker fails open, and the failed read is remembered for the cache's time, so the next read waits.
            if (snapshot != null && holdsCalls(snapshot.record(), now)) {
                return snapshot.record();
            }
            BreakerRecord closed = BreakerRecord.closed(key);
            cached.snapshot = new Snapshot(closed, now);
            return closed;
        } finally {
            cached.reading.unlock();
        }
    }

    /** The stored record, or empty when the table could not be read (reported as a fail-open). */
    private Optional<BreakerRecord> read(BreakerKey key) {
        try {
            return Optional.of(store.find(key).orElseGet(() -> BreakerRecord.closed(key)));
        } catch (RuntimeException e) {
            failOpen(key, "read the breaker", e);
            return Optional.empty();
        }
    }

    /** Whether {@code record} still holds calls at {@code now}: open with time left, or rate-limited. */
    private static boolean holdsCalls(BreakerRecord record, Instant now) {
        return (record.open() && now.isBefore(record.openUntil())) || record.rateLimitedAt(now);
    }

    private boolean fresh(Snapshot snapshot, Instant now) {
        return snapshot != null && !now.isBefore(snapshot.at())
                && Duration.between(snapshot.at(), now).compareTo(config.cacheTtl()) < 0;
    }

    private void remember(BreakerKey key, BreakerRecord record, Instant now) {
        cache.computeIfAbsent(key, k -> new CachedState()).snapshot = new Snapshot(record, now);
    }

    private BreakerRecord lastSeen(BreakerKey key) {
        CachedState cached = cache.get(key);
        Snapshot snapshot = cached == null ? null : cached.snapshot;
        return snapshot == null ? BreakerRecord.closed(key) : snapshot.record();
    }

    private void failOpen(BreakerKey key, String operation, RuntimeException error) {
        LOG.warn("circuit breaker {}: could not {} in the breaker table; failing open (calls go through): {}",
                key, operation, error.toString());
        notify(() -> listener.onFailOpen(key, operation, error));
    }

    private static void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("circuit breaker listener failed: {}", e.toString());
        }
    }

    private record Snapshot(BreakerRecord record, Instant at) {
    }

    private static final class CachedState {
        final ReentrantLock reading = new ReentrantLock();
        /** Transient failures reported in this container whose writes have not been answered yet. */
        final AtomicInteger failuresBeingRecorded = new AtomicInteger();
        volatile Snapshot snapshot;
    }
}
