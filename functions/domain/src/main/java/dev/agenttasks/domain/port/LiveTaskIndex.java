package dev.agenttasks.domain.port;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskStatus;

/**
 * The reconciler's view of the task store: the live tasks that are due for a look, and the conditional
 * writes that re-send or fail them.
 */
public interface LiveTaskIndex {

    /**
     * A live task whose message was sent is due this long later: longer than TaskQueue's visibility
     * timeout (720 s), so a message still in flight comes back to a worker before another is sent.
     */
    Duration REQUEUE_AFTER = Duration.ofMinutes(15);

    /**
     * Live tasks the reconciler should look at: due at or before {@code now}, earliest first, at most
     * {@code limit}. Read from a sparse index that holds only pending and running tasks; it is eventually
     * consistent, so act on an entry only through a conditional write that re-checks it.
     */
    List<DueTask> findDue(Instant now, int limit);

    /**
     * Takes the right to (re-)send the task's message: granted while the task is still due at
     * {@code seenDueAt} (nobody touched it since it was read) and is pending, or running with an expired
     * lease. Moves its due time to {@code nextDueAt}, written before the message exists so that no worker's
     * claim can race it.
     */
    boolean claimRedrive(String taskId, Instant seenDueAt, Instant now, Instant nextDueAt);

    /**
     * Records a send made under {@link #claimRedrive} as the task's {@code enqueuedAt}, unless something
     * changed the task meanwhile. Its due time stays where the claim put it.
     */
    void markRedriven(String taskId, Instant claimedDueAt, Instant now);

    /** Moves the task's due time to {@code dueAt} if it is still {@code seenDueAt} (e.g. after a failed send). */
    boolean reschedule(String taskId, Instant seenDueAt, Instant dueAt);

    /**
     * Fails a task nobody works on: pending, or running with an expired lease. Never overwrites a
     * terminal state and never a live lease.
     */
    UnleasedFailure failUnleased(String taskId, TaskError error, Instant now);

    /** What {@link #failUnleased} did. */
    enum UnleasedFailure {
        /** The task is now failed. */
        FAILED,
        /** It had already finished: nothing written. */
        ALREADY_TERMINAL,
        /** A worker holds a live lease on it: nothing written. */
        LEASED,
        /** No such task. */
        NOT_FOUND
    }

    /** An entry of the reconciler's index: enough to decide what to do, without reading the item. */
    record DueTask(String taskId, TaskStatus status, Instant createdAt, Instant dueAt, Instant leaseExpiresAt,
                   Instant enqueuedAt) {
    }
}
