package dev.agenttasks.domain.port;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.agenttasks.domain.task.Task;

/** One page of a caller's tasks, newest first, and where the next page starts (empty on the last one). */
public record TaskPage(List<Task> tasks, Optional<Position> next) {

    public TaskPage {
        tasks = List.copyOf(tasks);
    }

    /** A place in a caller's list: just after the task created at {@code createdAt} with id {@code taskId}. */
    public record Position(Instant createdAt, String taskId) {
    }
}
