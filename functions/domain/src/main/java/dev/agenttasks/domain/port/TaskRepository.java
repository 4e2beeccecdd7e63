package dev.agenttasks.domain.port;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.agenttasks.domain.task.Progress;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.Waiting;

/**
 * Where tasks live. Every state change is a single conditional write: creation only if absent,
 * claims only from pending or an expired lease, and every later write fenced on the lease owner.
 */
public interface TaskRepository extends CallbackLedger {

    /**
     * Stores a new task unless one with its id exists; the existing task is returned otherwise. The
     * creator holds the right to send the task's first message (see {@link #claimEnqueue}).
     */
    Optional<Task> createIfAbsent(Task task);

    /** A stored task and the idempotency key binding stored with it, if it was created under a key. */
    record BoundTask(Task task, Optional<IdempotencyStore.KeyRecord> binding) {
    }

    /**
     * Stores a task created under an idempotency key, with the key's {@code binding} kept on the task itself,
     * unless a task with its id exists that has not passed its retention or whose binding has not expired (one past
     * both is replaced): then that task and the binding stored with it are returned. One conditional write decides the key and creates the task, and
     * the loser learns the winner without a read. The creator holds the right to send the first message.
     */
    Optional<BoundTask> createBound(Task task, IdempotencyStore.KeyRecord binding, Instant now);

    /**
     * Keeps the task's record until at least {@code until}: sets its expiry to {@code until} if the stored task is
     * still the one created at {@code createdAt} and would expire before. False when nothing changed (the task was
     * replaced, or someone retained it as long already): read it again.
     */
    boolean retainUntil(String taskId, Instant createdAt, Instant until);

    Optional<Task> find(String taskId);

    /**
     * {@code owner}'s tasks, newest first, from just after {@code after}: at most {@code limit}, only those in
     * {@code status} when given. A page may hold fewer than {@code limit} and still have a next one (a status
     * filter reads a bounded number of tasks per page); only the last page has no next position.
     */
    TaskPage listOwned(String owner, Optional<TaskStatus> status, int limit, Optional<TaskPage.Position> after);

    /**
     * Takes the right to send the task's queue message: granted when nobody holds it, or when the
     * holder took it before {@code staleBefore} and no worker has received a message of the task yet
     * (its first claim records {@code enqueuedAt}).
     */
    boolean claimEnqueue(String taskId, Instant now, Instant staleBefore);

    /**
     * The submission could not send the task's message: makes the pending, never-sent task due at once,
     * so the reconciler's next run sends it (otherwise it would wait out the full requeue interval).
     */
    void markSendFailed(String taskId, Instant now);

    /**
     * Claims the task for {@code leaseOwner}: pending → running, or a takeover of a running task whose
     * lease expired. Counts one attempt. The first claim records {@code enqueuedAt} (a message of the task
     * reached a worker): a send is not recorded by a write of its own. A pending task whose retry time is still ahead is
     * {@link Claim.NotDue}: its message came early and must come back.
     */
    Claim claim(String taskId, String leaseOwner, Instant now, Duration lease);

    /*
     * Every lease-fenced write below (recordAttempt, renewLease, complete, fail, release) also requires that no
     * cancel was requested: after a cancel request each one fails, and the worker cancels the task instead.
     * Those that take a {@code Progress} store it (a null one leaves the stored progress as it is).
     */

    /**
     * Counts one more provider call and renews the lease, only while {@code leaseOwner} holds it.
     * False means the lease was lost or a cancel was requested: stop.
     */
    default boolean recordAttempt(String taskId, String leaseOwner, Instant now, Duration lease) {
        return recordAttempt(taskId, leaseOwner, now, lease, null);
    }

    boolean recordAttempt(String taskId, String leaseOwner, Instant now, Duration lease, Progress progress);

    /** Extends the lease to {@code now + lease}, only while {@code leaseOwner} holds it (a heartbeat). */
    boolean renewLease(String taskId, String leaseOwner, Instant now, Duration lease);

    /** running → complete, only while {@code leaseOwner} holds the lease (with the outcome's progress). */
    boolean complete(String taskId, String leaseOwner, TaskOutcome outcome, Instant now);

    /** running → failed, only while {@code leaseOwner} holds the lease. */
    default boolean fail(String taskId, String leaseOwner, TaskError error, Long durationMs, Instant now) {
        return fail(taskId, leaseOwner, error, durationMs, null, now);
    }

    boolean fail(String taskId, String leaseOwner, TaskError error, Long durationMs, Progress progress, Instant now);

    /** running → pending for a later attempt, only while {@code leaseOwner} holds the lease. */
    default boolean release(String taskId, String leaseOwner, Instant now, Instant retryAt) {
        return release(taskId, leaseOwner, now, retryAt, false, null, null);
    }

    /**
     * running → pending until {@code retryAt}, only while {@code leaseOwner} holds the lease; with
     * {@code refundAttempt}, the attempt counted for a call that was never made is given back, and
     * {@code waiting} (nullable) says why the task waits.
     */
    boolean release(String taskId, String leaseOwner, Instant now, Instant retryAt, boolean refundAttempt,
                    Waiting waiting, Progress progress);

    /**
     * The owner asks to stop the task: a pending one is cancelled at once; a running one is marked, after which
     * its worker's lease-fenced writes and renewals fail and the worker calls {@link #cancelIfRequested}.
     */
    CancelRequest requestCancel(String taskId, String owner, Instant now);

    /**
     * running → cancelled, only while {@code leaseOwner} holds the lease and a cancel was requested; false when
     * neither holds (then a failed fenced write means the lease was lost).
     */
    boolean cancelIfRequested(String taskId, String leaseOwner, Instant now);

}
