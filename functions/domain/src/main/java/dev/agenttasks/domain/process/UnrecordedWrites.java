package dev.agenttasks.domain.process;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Final writes this container could not make because the task store kept failing, with the lease they were
 * made under. When the task's message comes back to this container, the write is tried again under the
 * same lease before anything else, so a provider's answer that was paid for is recorded instead of being
 * asked for again. Bounded, and entries expire: another container may have moved the task on since.
 */
final class UnrecordedWrites {

    /** Entries older than this are dropped: by then the lease is long gone and the task moved on. */
    static final Duration KEEP_FOR = Duration.ofMinutes(15);
    static final int MAX_ENTRIES = 1_000;

    record Unrecorded(String leaseOwner, StoreWrite write, Instant since) {
    }

    private final Clock clock;
    private final Map<String, Unrecorded> byTask = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Unrecorded> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    UnrecordedWrites(Clock clock) {
        this.clock = clock;
    }

    synchronized void remember(String taskId, String leaseOwner, StoreWrite write) {
        byTask.put(taskId, new Unrecorded(leaseOwner, write, clock.instant()));
    }

    /** The write waiting for {@code taskId}, removed from this store; empty when none or expired. */
    synchronized Optional<Unrecorded> take(String taskId) {
        Unrecorded found = byTask.remove(taskId);
        if (found == null || clock.instant().isAfter(found.since().plus(KEEP_FOR))) {
            return Optional.empty();
        }
        return Optional.of(found);
    }

    synchronized int size() {
        return byTask.size();
    }
}
