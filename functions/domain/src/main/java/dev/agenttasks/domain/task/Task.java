package dev.agenttasks.domain.task;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import java.util.Optional;

/**
 * A task as stored. Outcome fields (model, result, error, usage, cost, duration) are null until known; lease
 * fields are set only while a worker owns the task; the request is {@code input} (the new user turn),
 * {@code system} and {@code history} (earlier turns, oldest first), routed at submit to {@code routing}; {@code retryAt} only while a released task waits for its
 * next attempt; {@code cancelRequestedAt} once its owner asked a running task to stop; {@code callback} once a finished
 * task's webhook ({@code callbackUrl}) is owed. Copy with
 * {@link #toBuilder()}.
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
        Instant expiresAt,
        Instant retryAt,
        Instant cancelRequestedAt,
        Waiting waiting,
        String system,
        List<ChatMessage> history,
        Routing routing,
        Long maxTotalTokens,
        Progress progress,
        String callbackUrl,
        Callback callback) {

    public Task {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** What was spent across attempts so far (nothing before the first). */
    public TokenLedger spent() {
        return progress == null ? TokenLedger.EMPTY : progress.spent();
    }

    /** A new pending task. */
    public static Task pending(String id, String owner, String input, Integer maxTokens, Instant now, Instant expiresAt) {
        return new Builder(id, owner, input, now).maxTokens(maxTokens).expiresAt(expiresAt).build();
    }

    public Optional<Instant> leaseExpiry() {
        return Optional.ofNullable(leaseExpiresAt);
    }

    /** When a released task may be tried again. */
    public Optional<Instant> nextAttemptAt() {
        return Optional.ofNullable(retryAt);
    }

    public Optional<Instant> cancelRequested() {
        return Optional.ofNullable(cancelRequestedAt);
    }

    /** Why a pending task is held (its model's breaker, a rate limit), while it is. */
    public Optional<Waiting> waitingFor() {
        return Optional.ofNullable(waiting);
    }

    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public boolean isOwnedBy(String caller) {
        return owner.equals(caller);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a task field by field; a new one is pending with no attempt. */
    public static final class Builder {
        private final String id;
        private final String owner;
        private final String input;
        private final Instant createdAt;
        private Integer maxTokens;
        private TaskStatus status = TaskStatus.PENDING;
        private Instant updatedAt;
        private String model;
        private String result;
        private TaskError error;
        private TokenUsage usage;
        private BigDecimal costUsd;
        private Long durationMs;
        private int attempts;
        private String leaseOwner;
        private Instant leaseExpiresAt;
        private Instant enqueuedAt;
        private Instant expiresAt;
        private Instant retryAt;
        private Instant cancelRequestedAt;
        private Waiting waiting;
        private String system;
        private List<ChatMessage> history = List.of();
        private Routing routing;
        private Long maxTotalTokens;
        private Progress progress;
        private String callbackUrl;
        private Callback callback;

        public Builder(String id, String owner, String input, Instant createdAt) {
            this.id = id;
            this.owner = owner;
            this.input = input;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }

        private Builder(Task t) {
            this(t.id, t.owner, t.input, t.createdAt);
            maxTokens = t.maxTokens;
            status = t.status;
            updatedAt = t.updatedAt;
            model = t.model;
            result = t.result;
            error = t.error;
            usage = t.usage;
            costUsd = t.costUsd;
            durationMs = t.durationMs;
            attempts = t.attempts;
            leaseOwner = t.leaseOwner;
            leaseExpiresAt = t.leaseExpiresAt;
            enqueuedAt = t.enqueuedAt;
            expiresAt = t.expiresAt;
            retryAt = t.retryAt;
            cancelRequestedAt = t.cancelRequestedAt;
            waiting = t.waiting;
            system = t.system;
            history = t.history;
            routing = t.routing;
            maxTotalTokens = t.maxTotalTokens;
            progress = t.progress;
            callbackUrl = t.callbackUrl;
            callback = t.callback;
        }

        public Builder maxTokens(Integer value) {
            maxTokens = value;
            return this;
        }

        public Builder status(TaskStatus value) {
            status = value;
            return this;
        }

        public Builder updatedAt(Instant value) {
            updatedAt = value;
            return this;
        }

        /** The outcome of a completed call: model, result, usage, cost, duration (and progress, when given). */
        public Builder outcome(TaskOutcome outcome) {
            model = outcome.model();
            result = outcome.result();
            usage = outcome.usage();
            costUsd = outcome.costUsd();
            durationMs = outcome.durationMs();
            if (outcome.progress() != null) {
                progress = outcome.progress();
            }
            return this;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        public Builder result(String value) {
            result = value;
            return this;
        }

        public Builder error(TaskError value) {
            error = value;
            return this;
        }

        public Builder usage(TokenUsage value) {
            usage = value;
            return this;
        }

        public Builder costUsd(BigDecimal value) {
            costUsd = value;
            return this;
        }

        public Builder durationMs(Long value) {
            durationMs = value;
            return this;
        }

        public Builder attempts(int value) {
            attempts = value;
            return this;
        }

        /** The lease, or {@code (null, null)} for none. */
        public Builder lease(String owner, Instant expiresAt) {
            leaseOwner = owner;
            leaseExpiresAt = expiresAt;
            return this;
        }

        public Builder enqueuedAt(Instant value) {
            enqueuedAt = value;
            return this;
        }

        public Builder expiresAt(Instant value) {
            expiresAt = value;
            return this;
        }

        public Builder retryAt(Instant value) {
            retryAt = value;
            return this;
        }

        public Builder cancelRequestedAt(Instant value) {
            cancelRequestedAt = value;
            return this;
        }

        public Builder waiting(Waiting value) {
            waiting = value;
            return this;
        }

        public Builder system(String value) {
            system = value;
            return this;
        }

        public Builder history(List<ChatMessage> value) {
            history = value;
            return this;
        }

        public Builder routing(Routing value) {
            routing = value;
            return this;
        }

        public Builder maxTotalTokens(Long value) {
            maxTotalTokens = value;
            return this;
        }

        public Builder progress(Progress value) {
            progress = value;
            return this;
        }

        public Builder callbackUrl(String value) {
            callbackUrl = value;
            return this;
        }

        public Builder callback(Callback value) {
            callback = value;
            return this;
        }

        public Task build() {
            return new Task(id, owner, input, maxTokens, status, createdAt, updatedAt, model, result, error, usage,
                    costUsd, durationMs, attempts, leaseOwner, leaseExpiresAt, enqueuedAt, expiresAt, retryAt,
                    cancelRequestedAt, waiting, system, history, routing, maxTotalTokens, progress, callbackUrl,
                    callback);
        }
    }
}
