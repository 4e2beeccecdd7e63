package dev.agenttasks.api;

import java.time.Clock;
import java.util.Map;

import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;

/**
 * {@code GET /tasks/{id}}: the task for its owner. Another caller's task, an expired one and an unknown
 * id all answer the same 404, so ids cannot be probed.
 */
public final class GetTaskApi {

    private final TaskRepository tasks;
    private final Clock clock;

    public GetTaskApi(TaskRepository tasks, Clock clock) {
        this.tasks = tasks;
        this.clock = clock;
    }

    public HttpResponse handle(HttpRequest request) {
        String caller = request.caller().orElseThrow(() ->
                new ProblemException(ProblemType.UNAUTHENTICATED, "the request carries no authenticated caller"));
        String id = request.pathParameter("id").orElse("");
        if (!TaskIds.isWellFormed(id)) {
            throw notFound();
        }
        Task task = tasks.find(id)
                .filter(t -> t.isOwnedBy(caller))
                .filter(t -> !t.isExpired(clock.instant()))
                .orElseThrow(GetTaskApi::notFound);
        return Json.response(200, TaskView.of(task));
    }

    public HttpResponse health() {
        return Json.response(200, Map.of("status", "ok"));
    }

    private static ProblemException notFound() {
        return new ProblemException(ProblemType.TASK_NOT_FOUND, "no task with this id belongs to you");
    }
}
