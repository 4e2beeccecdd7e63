package dev.agenttasks.domain.process;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.agenttasks.domain.fakes.InMemoryTaskStore;
import dev.agenttasks.domain.port.CallbackAttempt;
import dev.agenttasks.domain.port.CancelRequest;
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.domain.port.TaskPage;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskOutcome;

/** An in-memory task store a test can override one operation of. */
abstract class InMemoryTaskStoreDelegate implements TaskRepository {

    final InMemoryTaskStore store = new InMemoryTaskStore();

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
        return store.claim(taskId, leaseOwner, now, lease);
    }

    @Override
    public boolean recordAttempt(String taskId, String leaseOwner, Instant now, Duration lease,
                                 dev.agenttasks.domain.task.Progress progress) {
        return store.recordAttempt(taskId, leaseOwner, now, lease, progress);
    }

    @Override
    public boolean renewLease(String taskId, String leaseOwner, Instant now, Duration lease) {
        return store.renewLease(taskId, leaseOwner, now, lease);
    }

    @Override
    public boolean complete(String taskId, String leaseOwner, TaskOutcome outcome, Instant now) {
        return store.complete(taskId, leaseOwner, outcome, now);
    }

    @Override
    public boolean fail(String taskId, String leaseOwner, TaskError error, Long durationMs,
                        dev.agenttasks.domain.task.Progress progress, Instant now) {
        return store.fail(taskId, leaseOwner, error, durationMs, progress, now);
    }

    @Override
    public boolean release(String taskId, String leaseOwner, Instant now, Instant retryAt, boolean refundAttempt,
                           dev.agenttasks.domain.task.Waiting waiting, dev.agenttasks.domain.task.Progress progress) {
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
