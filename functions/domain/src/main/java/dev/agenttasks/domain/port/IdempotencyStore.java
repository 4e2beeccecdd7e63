package dev.agenttasks.domain.port;

import java.time.Instant;
import java.util.Optional;

/**
 * Idempotency keys, scoped per caller. One conditional write decides which submission owns a key.
 */
public interface IdempotencyStore {

    /** What a key is bound to: the task it created and the fingerprint of the request that created it. */
    record KeyRecord(String taskId, String fingerprint, Instant createdAt, Instant expiresAt) {
    }

    /**
     * Binds {@code (caller, key)} to {@code candidate} unless a live binding exists; an expired binding is
     * replaced. Returns empty when {@code candidate} won, or the live binding that won before it.
     */
    Optional<KeyRecord> bindIfAbsent(String caller, String key, KeyRecord candidate, Instant now);
}
