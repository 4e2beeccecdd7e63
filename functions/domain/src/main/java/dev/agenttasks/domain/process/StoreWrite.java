package dev.agenttasks.domain.process;

import java.time.Duration;
import java.time.Instant;

import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Progress;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.Waiting;

/** A lease-fenced write that ends a delivery's work on a task, kept as a value so it can be retried later. */
sealed interface StoreWrite {

    /** Applies the write under {@code leaseOwner}'s lease; false when the lease is no longer theirs. */
    boolean apply(TaskRepository tasks, String taskId, String leaseOwner, Instant now);

    /** running → complete with the provider's answer. */
    record Complete(TaskOutcome outcome) implements StoreWrite {
        @Override
        public boolean apply(TaskRepository tasks, String taskId, String leaseOwner, Instant now) {
            return tasks.complete(taskId, leaseOwner, outcome, now);
        }
    }

    /** running → failed, with what the attempts cost (nullable: unchanged). */
    record Fail(TaskError error, Long durationMs, Progress progress) implements StoreWrite {
        @Override
        public boolean apply(TaskRepository tasks, String taskId, String leaseOwner, Instant now) {
            return tasks.fail(taskId, leaseOwner, error, durationMs, progress, now);
        }
    }

    /**
     * running → pending, to be retried at {@code retryAt}; {@code refundAttempt} gives back the attempt counted
     * for a call never made, {@code waiting} (nullable) says why it waits, {@code progress} (nullable) what the
     * attempts cost.
     */
    record Release(Instant retryAt, boolean refundAttempt, Waiting waiting, Progress progress) implements StoreWrite {
        @Override
        public boolean apply(TaskRepository tasks, String taskId, String leaseOwner, Instant now) {
            return tasks.release(taskId, leaseOwner, now, retryAt, refundAttempt, waiting, progress);
        }
    }

    /** The next attempt's bookkeeping: one more call counted, the lease renewed. */
    record RecordAttempt(Duration lease, Progress progress) implements StoreWrite {
        @Override
        public boolean apply(TaskRepository tasks, String taskId, String leaseOwner, Instant now) {
            return tasks.recordAttempt(taskId, leaseOwner, now, lease, progress);
        }
    }
}
