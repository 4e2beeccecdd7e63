package dev.agenttasks.domain.fakes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TaskStatus;

/**
 * A thread-safe {@link TaskRepository} in memory with the same conditions as the DynamoDB adapter: every
 * change is one atomic {@code compute} on the task's entry.
 */
public final class InMemoryTaskRepository implements TaskRepository {

    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<String, Instant> enqueueClaims = new ConcurrentHashMap<>();
    private final List<String> sendFailures = new CopyOnWriteArrayList<>();

    /** Like the DynamoDB adapter, creation takes the send claim: the submission that stored the task sends it. */
    @Override
    public Optional<Task> createIfAbsent(Task task) {
        AtomicBoolean created = new AtomicBoolean();
        Task current = tasks.computeIfAbsent(task.id(), id -> {
            enqueueClaims.put(id, task.createdAt());
            created.set(true);
            return task;
        });
        return created.get() ? Optional.empty() : Optional.of(current);
    }

    @Override
    public Optional<Task> find(String taskId) {
        return Optional.ofNullable(tasks.get(taskId));
    }

    @Override
    public boolean claimEnqueue(String taskId, Instant now, Instant staleBefore) {
        AtomicBoolean granted = new AtomicBoolean();
        tasks.computeIfPresent(taskId, (id, t) -> {
            if (t.status() == TaskStatus.PENDING && t.enqueuedAt() == null) {
                Instant claimed = enqueueClaims.get(id);
                if (claimed == null || claimed.isBefore(staleBefore)) {
                    enqueueClaims.put(id, now);
                    granted.set(true);
                }
            }
            return t;
        });
        return granted.get();
    }

    @Override
    public void markEnqueued(String taskId, Instant now) {
        tasks.computeIfPresent(taskId, (id, t) -> t.status() != TaskStatus.PENDING ? t
                : copy(t, t.status(), t.updatedAt(), t.model(), t.result(), t.error(), t.usage(), t.costUsd(),
                        t.durationMs(), t.attempts(), t.leaseOwner(), t.leaseExpiresAt(), now));
    }

    @Override
    public void markSendFailed(String taskId, Instant now) {
        sendFailures.add(taskId);
    }

    /** Tasks whose submission reported a failed send (this store keeps no due times). */
    public List<String> sendFailures() {
        return List.copyOf(sendFailures);
    }

    @Override
    public ClaimResult claim(String taskId, String leaseOwner, Instant now, Duration lease) {
        AtomicBoolean claimed = new AtomicBoolean();
        Task after = tasks.computeIfPresent(taskId, (id, t) -> {
            boolean takeover = t.status() == TaskStatus.RUNNING && t.leaseExpiresAt() != null
                    && t.leaseExpiresAt().isBefore(now);
            if (t.status() != TaskStatus.PENDING && !takeover) {
                return t;
            }
            claimed.set(true);
            return copy(t, TaskStatus.RUNNING, now, t.model(), t.result(), t.error(), t.usage(), t.costUsd(),
                    t.durationMs(), t.attempts() + 1, leaseOwner, now.plus(lease), t.enqueuedAt());
        });
        return claimed.get() ? ClaimResult.claimed(after) : ClaimResult.refused(Optional.ofNullable(after));
    }

    @Override
    public boolean recordAttempt(String taskId, String leaseOwner, Instant now, Duration lease) {
        return fenced(taskId, leaseOwner, t -> copy(t, t.status(), now, t.model(), t.result(), t.error(), t.usage(),
                t.costUsd(), t.durationMs(), t.attempts() + 1, leaseOwner, now.plus(lease), t.enqueuedAt()));
    }

    @Override
    public boolean renewLease(String taskId, String leaseOwner, Instant now, Duration lease) {
        return fenced(taskId, leaseOwner, t -> copy(t, t.status(), now, t.model(), t.result(), t.error(), t.usage(),
                t.costUsd(), t.durationMs(), t.attempts(), leaseOwner, now.plus(lease), t.enqueuedAt()));
    }

    @Override
    public boolean complete(String taskId, String leaseOwner, TaskOutcome outcome, Instant now) {
        return fenced(taskId, leaseOwner, t -> copy(t, TaskStatus.COMPLETE, now, outcome.model(), outcome.result(),
                null, outcome.usage(), outcome.costUsd(), outcome.durationMs(), t.attempts(), null, null,
                t.enqueuedAt()));
    }

    @Override
    public boolean fail(String taskId, String leaseOwner, TaskError error, Long durationMs, Instant now) {
        return fenced(taskId, leaseOwner, t -> copy(t, TaskStatus.FAILED, now, t.model(), t.result(), error,
                t.usage(), t.costUsd(), durationMs, t.attempts(), null, null, t.enqueuedAt()));
    }

    @Override
    public boolean release(String taskId, String leaseOwner, Instant now, Instant retryAt) {
        return fenced(taskId, leaseOwner, t -> copy(t, TaskStatus.PENDING, now, t.model(), t.result(), t.error(),
                t.usage(), t.costUsd(), t.durationMs(), t.attempts(), null, null, t.enqueuedAt()));
    }

    /** The reconciler's index is not modelled: the API tests never reach it. */




    /** Puts a task as it is, e.g. one another caller owns or one already expired. */
    public void put(Task task) {
        tasks.put(task.id(), task);
    }

    public int size() {
        return tasks.size();
    }

    private boolean fenced(String taskId, String leaseOwner, java.util.function.UnaryOperator<Task> change) {
        AtomicBoolean applied = new AtomicBoolean();
        tasks.computeIfPresent(taskId, (id, t) -> {
            if (t.status() != TaskStatus.RUNNING || !leaseOwner.equals(t.leaseOwner())) {
                return t;
            }
            applied.set(true);
            return change.apply(t);
        });
        return applied.get();
    }

    private static Task copy(Task t, TaskStatus status, Instant updatedAt, String model, String result, TaskError error,
                             dev.agenttasks.domain.task.TokenUsage usage, java.math.BigDecimal costUsd, Long durationMs,
                             int attempts, String leaseOwner, Instant leaseExpiresAt, Instant enqueuedAt) {
        return new Task(t.id(), t.owner(), t.input(), t.maxTokens(), status, t.createdAt(), updatedAt, model, result,
                error, usage, costUsd, durationMs, attempts, leaseOwner, leaseExpiresAt, enqueuedAt, t.expiresAt());
    }
}
