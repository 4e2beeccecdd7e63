package dev.agenttasks.domain.fakes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import dev.agenttasks.domain.port.BreakerKey;
import dev.agenttasks.domain.port.BreakerRecord;
import dev.agenttasks.domain.port.CircuitBreakerStore;
import dev.agenttasks.domain.port.DependencyUnavailableException;

/**
 * A thread-safe {@link CircuitBreakerStore} in memory with the DynamoDB adapter's conditions: every write is
 * one atomic {@code compute} on the breaker's entry. Counts requests by operation, and can be made unreachable.
 */
public final class InMemoryCircuitBreakerStore implements CircuitBreakerStore {

    public static final String READ = "find";
    public static final String SCAN = "findAll";

    private final ConcurrentMap<BreakerKey, BreakerRecord> records = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private volatile boolean unreachable;
    private volatile Set<String> failing = Set.of();
    private volatile String gated;
    private volatile CountDownLatch gate;
    private final AtomicInteger waitingAtGate = new AtomicInteger();

    /** From now on every request fails with {@link DependencyUnavailableException} (or works again). */
    public void unreachable(boolean unreachable) {
        this.unreachable = unreachable;
    }

    /** From now on only the named operations fail (none: every one works). */
    public void failOnly(String... operations) {
        this.failing = Set.of(operations);
    }

    /** From now on requests of {@code operation} wait until the returned latch is counted down (a slow table). */
    public CountDownLatch holdBack(String operation) {
        CountDownLatch latch = new CountDownLatch(1);
        gate = latch;
        gated = operation;
        return latch;
    }

    /** Requests waiting at the {@link #holdBack} gate. */
    public int waitingAtGate() {
        return waitingAtGate.get();
    }

    /** Requests made, by operation (the port's method names). */
    public int requests(String operation) {
        AtomicInteger count = requests.get(operation);
        return count == null ? 0 : count.get();
    }

    /** Every request but reads ({@link #READ}, {@link #SCAN}). */
    public int writes() {
        return requests.entrySet().stream()
                .filter(entry -> !entry.getKey().equals(READ) && !entry.getKey().equals(SCAN))
                .mapToInt(entry -> entry.getValue().get()).sum();
    }

    public void resetRequestCounts() {
        requests.clear();
    }

    @Override
    public Optional<BreakerRecord> find(BreakerKey key) {
        request(READ);
        return Optional.ofNullable(records.get(key));
    }

    @Override
    public List<BreakerRecord> findAll() {
        request(SCAN);
        return new ArrayList<>(records.values());
    }

    @Override
    public Write recordFailure(BreakerKey key, Instant slot, Set<Instant> staleSlots, Instant now) {
        request("recordFailure");
        return conditional(key, r -> !r.open(), r -> {
            Map<Instant, Long> slots = new HashMap<>(r.failureSlots());
            staleSlots.forEach(slots::remove);
            slots.merge(slot, 1L, Long::sum);
            return new BreakerRecord(key, false, slots, r.countedAfter(), null, null, 0, null, null, r.rateLimitedUntil());
        });
    }

    @Override
    public Write open(BreakerKey key, Instant seenCountedAfter, Instant now, Instant openUntil) {
        request("open");
        return conditional(key, r -> !r.open() && java.util.Objects.equals(r.countedAfter(), seenCountedAfter),
                r -> new BreakerRecord(key, true, r.failureSlots(), now, now, openUntil, 0, null, null,
                        r.rateLimitedUntil()));
    }

    @Override
    public Write tryAcquireProbe(BreakerKey key, String owner, Instant now, Instant expiresAt) {
        request("tryAcquireProbe");
        return conditional(key, r -> r.open() && !r.openUntil().isAfter(now)
                        && (r.probeOwner() == null || !r.probeExpiresAt().isAfter(now)),
                r -> new BreakerRecord(key, true, r.failureSlots(), r.countedAfter(), r.openedAt(), r.openUntil(),
                        r.failedProbes(), owner, expiresAt, r.rateLimitedUntil()));
    }

    @Override
    public Write close(BreakerKey key, String owner, Instant now, Optional<Instant> rateLimitedUntil) {
        request("close");
        return conditional(key, r -> r.open() && owner.equals(r.probeOwner()),
                r -> new BreakerRecord(key, false, r.failureSlots(), r.countedAfter(), null, null, 0, null, null,
                        rateLimitedUntil.orElse(r.rateLimitedUntil())));
    }

    @Override
    public Write reopen(BreakerKey key, String owner, Instant now, Instant openUntil, int failedProbes) {
        request("reopen");
        return conditional(key, r -> r.open() && owner.equals(r.probeOwner()),
                r -> new BreakerRecord(key, true, r.failureSlots(), r.countedAfter(), r.openedAt(), openUntil,
                        failedProbes, null, null, r.rateLimitedUntil()));
    }

    @Override
    public Write releaseProbe(BreakerKey key, String owner, Instant now) {
        request("releaseProbe");
        return conditional(key, r -> owner.equals(r.probeOwner()),
                r -> new BreakerRecord(key, r.open(), r.failureSlots(), r.countedAfter(), r.openedAt(), r.openUntil(),
                        r.failedProbes(), null, null, r.rateLimitedUntil()));
    }

    @Override
    public Write holdForRateLimit(BreakerKey key, Instant until, Instant now) {
        request("holdForRateLimit");
        return conditional(key, r -> !r.open() && (r.rateLimitedUntil() == null || r.rateLimitedUntil().isBefore(until)),
                r -> new BreakerRecord(key, false, r.failureSlots(), r.countedAfter(), null, null, 0, null, null, until));
    }

    @Override
    public void forceOpen(BreakerKey key, Instant now, Instant until) {
        request("forceOpen");
        records.compute(key, (k, r) -> new BreakerRecord(key, true, r == null ? Map.of() : r.failureSlots(), now, now,
                until, 0, null, null, r == null ? null : r.rateLimitedUntil()));
    }

    @Override
    public void forceClose(BreakerKey key, Instant now) {
        request("forceClose");
        records.compute(key, (k, r) -> new BreakerRecord(key, false, r == null ? Map.of() : r.failureSlots(), now,
                null, null, 0, null, null, null));
    }

    private Write conditional(BreakerKey key, Predicate<BreakerRecord> condition, UnaryOperator<BreakerRecord> change) {
        AtomicBoolean applied = new AtomicBoolean();
        BreakerRecord after = records.compute(key, (k, stored) -> {
            BreakerRecord current = stored == null ? BreakerRecord.closed(key) : stored;
            if (!condition.test(current)) {
                return stored;
            }
            applied.set(true);
            return change.apply(current);
        });
        return new Write(applied.get(), after == null ? BreakerRecord.closed(key) : after);
    }

    private void request(String operation) {
        requests.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
        CountDownLatch latch = gate;
        if (latch != null && operation.equals(gated)) {
            waitingAtGate.incrementAndGet();
            try {
                if (!latch.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the gate on " + operation + " was never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                waitingAtGate.decrementAndGet();
            }
        }
        if (unreachable || failing.contains(operation)) {
            throw new DependencyUnavailableException("breaker store unreachable (test)", null);
        }
    }
}
