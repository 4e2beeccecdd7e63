package dev.agenttasks.client;

import java.util.List;
import java.util.Optional;

/** One page of {@code GET /tasks}: newest first; {@code nextCursor} is empty on the last page. */
public record TaskPage(List<TaskView> tasks, Optional<String> nextCursor) {
    public TaskPage {
        tasks = List.copyOf(tasks);
    }
}
