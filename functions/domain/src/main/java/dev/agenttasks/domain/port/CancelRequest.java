package dev.agenttasks.domain.port;

import dev.agenttasks.domain.task.Task;

/** What {@link TaskRepository#requestCancel} did: exactly one of these. */
public sealed interface CancelRequest {

    /** The task was pending: it is now cancelled. */
    record Cancelled(Task task) implements CancelRequest {
    }

    /** A worker runs the task: it is asked to stop, and cancels the task at its next renewal or write. */
    record Requested(Task task) implements CancelRequest {
    }

    /** The task had already finished (complete, failed or cancelled): nothing changed. */
    record AlreadyFinished(Task task) implements CancelRequest {
    }

    /** No task with this id belongs to the caller. */
    record NotFound() implements CancelRequest {
    }
}
