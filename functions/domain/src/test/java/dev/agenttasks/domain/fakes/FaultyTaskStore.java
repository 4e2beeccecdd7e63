package dev.agenttasks.domain.fakes;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.agenttasks.domain.port.CallbackAttempt;
import dev.agenttasks.domain.port.CancelRequest;
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.domain.port.TaskPage;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskOutcome;

/**
 * A task repository whose chosen operations fail the way a throttled or unreachable DynamoDB does, a set
 * number of times (or for ever), before reaching the store behind it. A test may extend it to change how one
 * operation behaves (a slow write, say) and leave the others delegated.
 */
public class FaultyTaskStore implements TaskRepository {

    /** The operations that can be made to fail. */
    public enum Operation { CLAIM, RECORD_ATTEMPT, RENEW_LEASE, COMPLETE, FAIL, RELEASE, MARK_CALLBACK_OWED }

    private final TaskRepository store;
    private final Map<Operation, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private final Map<Operation, AtomicInteger> failed = new ConcurrentHashMap<>();
    private final Map<Operation, Runnable> beforeNext = new ConcurrentHashMap<>();

    public FaultyTaskStore(TaskRepository store) {
        this.store = store;
    }

    /** The next {@code times} calls of {@code operation} fail ({@link Integer#MAX_VALUE}: until {@link #heal}). */
    public FaultyTaskStore failNext(Operation operation, int times) {
        failuresLeft.put(operation, new AtomicInteger(times));
        return this;
    }

    /** Runs {@code action} once, just before the next call of {@code operation} (e.g. a slow write's passing time). */
    public FaultyTaskStore beforeNext(Operation operation, Runnable action) {
        beforeNext.put(operation, action);
        return this;
    }

    public void heal() {
        failuresLeft.clear();
    }

    public int failures(Operation operation) {
        return failed.getOrDefault(operation, new AtomicInteger()).get();
    }

    private void maybeFail(Operation operation) {
        Runnable action = beforeNext.remove(operation);
        if (action != null) {
            action.run();
        }
        AtomicInteger left = failuresLeft.get(operation);
        if (left != null && left.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0) {
            failed.computeIfAbsent(operation, o -> new AtomicInteger()).incrementAndGet();
            throw new DependencyUnavailableException("DynamoDB: could not " + operation + " (injected)", null);
        }
    }

    @Override
    public Optional<Task> createIfAbsent(Task task) {
        return store.createIfAbsent(task);
    }

    @Override
    public Optional<BoundTask> createBound(Task task, IdempotencyStore.KeyRecord binding, Instant now) {
        return store.createBound(task, binding, now);
    }

    @Override
    public boolean retainUntil(String taskId, Instant createdAt, Instant until) {
        return store.retainUntil(taskId, createdAt, until);
    }

    @Override
    public Optional<Task> find(String taskId) {
        return store.find(taskId);
    }

    @Override
    public TaskPage listOwned(String owner, Optional<TaskStatus> status, int limit, Optional<TaskPage.Position> after) {
        return store.listOwned(owner, status, limit, after);
    }

    @Override
    public boolean claimEnqueue(String taskId, Instant now, Instant staleBefore) {
        return store.claimEnqueue(taskId, now, staleBefore);
    }

    @Override
    public void markSendFailed(String taskId, Instant now) {
        store.markSendFailed(taskId, now);
    }

    @Override
    public Claim claim(String taskId, String leaseOwner, Instant now, Duration lease) {
        maybeFail(Operation.CLAIM);
        return store.claim(taskId, leaseOwner, now, lease);
    }

    @Override
    public boolean recordAttempt(String taskId, String leaseOwner, Instant now, Duration lease,
                                 dev.agenttasks.domain.task.Progress progress) {
        maybeFail(Operation.RECORD_ATTEMPT);
        return store.recordAttempt(taskId, leaseOwner, now, lease, progress);
    }

    @Override
    public boolean renewLease(String taskId, String leaseOwner, Instant now, Duration lease) {
        maybeFail(Operation.RENEW_LEASE);
        return store.renewLease(taskId, leaseOwner, now, lease);
    }

    @Override
    public boolean complete(String taskId, String leaseOwner, TaskOutcome outcome, Instant now) {
        maybeFail(Operation.COMPLETE);
        return store.complete(taskId, leaseOwner, outcome, now);
    }

    @Override
    public boolean fail(String taskId, String leaseOwner, TaskError error, Long durationMs,
                        dev.agenttasks.domain.task.Progress progress, Instant now) {
        maybeFail(Operation.FAIL);
        return store.fail(taskId, leaseOwner, error, durationMs, progress, now);
    }

    @Override
    public boolean release(String taskId, String leaseOwner, Instant now, Instant retryAt, boolean refundAttempt,
                           dev.agenttasks.domain.task.Waiting waiting, dev.agenttasks.domain.task.Progress progress) {
        maybeFail(Operation.RELEASE);
        return store.release(taskId, leaseOwner, now, retryAt, refundAttempt, waiting, progress);
    }

    @Override
    public CancelRequest requestCancel(String taskId, String owner, Instant now) {
        return store.requestCancel(taskId, owner, now);
    }

    @Override
    public boolean cancelIfRequested(String taskId, String leaseOwner, Instant now) {
        return store.cancelIfRequested(taskId, leaseOwner, now);
    }

    @Override
    public boolean markCallbackOwed(String taskId, Instant dueAt) {
        maybeFail(Operation.MARK_CALLBACK_OWED);
        return store.markCallbackOwed(taskId, dueAt);
    }

    @Override
    public boolean recordCallbackAttempt(String taskId, CallbackAttempt attempt, Instant now) {
        return store.recordCallbackAttempt(taskId, attempt, now);
    }

    @Override
    public boolean claimCallbackRedrive(String taskId, Instant seenDueAt, Instant nextDueAt) {
        return store.claimCallbackRedrive(taskId, seenDueAt, nextDueAt);
    }
}
