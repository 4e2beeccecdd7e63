package dev.agenttasks.core.submit;

import dev.agenttasks.core.task.Task;

/** The task a submission resolved to, and whether it was a replay of an earlier one. */
public record SubmitResult(Task task, boolean replayed) {
}
