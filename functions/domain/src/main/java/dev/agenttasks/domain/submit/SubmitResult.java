package dev.agenttasks.domain.submit;

import dev.agenttasks.domain.task.Task;

/** The task a submission resolved to, and whether it was a replay of an earlier one. */
public record SubmitResult(Task task, boolean replayed) {
}
