package dev.agenttasks.domain.task;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import dev.agenttasks.domain.task.TokenUsage;

/**
 * A task as stored. Outcome fields (model, result, error, usage, cost, duration) are null until known;
 * lease fields are set only while a worker owns the task.
 */
public record Task(
        String id,
        String owner,
        String input,
        Integer maxTokens,
        TaskStatus status,
        Instant createdAt,
        Instant updatedAt,
        String model,
        String result,
        TaskError error,
        TokenUsage usage,
        BigDecimal costUsd,
        Long durationMs,
        int attempts,
        String leaseOwner,
        Instant leaseExpiresAt,
        Instant enqueuedAt,
        Instant expiresAt) {

    public Task {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** A new pending task. */
    public static Task pending(String id, String owner, String input, Integer maxTokens, Instant now, Instant expiresAt) {
        return new Task(id, owner, input, maxTokens, TaskStatus.PENDING, now, now, null, null, null, null, null, null,
                0, null, null, null, expiresAt);
    }

    public Optional<Instant> leaseExpiry() {
        return Optional.ofNullable(leaseExpiresAt);
    }

    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public boolean isOwnedBy(String caller) {
        return owner.equals(caller);
    }
}
