package dev.agenttasks.domain.fakes;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.agenttasks.domain.port.IdempotencyStore;

/** A thread-safe {@link IdempotencyStore} in memory: one atomic {@code compute} per (caller, key). */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    private record Scope(String caller, String key) {
    }

    private final Map<Scope, KeyRecord> records = new ConcurrentHashMap<>();

    @Override
    public Optional<KeyRecord> bindIfAbsent(String caller, String key, KeyRecord candidate, Instant now) {
        AtomicReference<KeyRecord> winner = new AtomicReference<>();
        records.compute(new Scope(caller, key), (scope, live) -> {
            if (live != null && live.expiresAt().isAfter(now)) {
                winner.set(live);
                return live;
            }
            return candidate;
        });
        return Optional.ofNullable(winner.get());
    }
}
