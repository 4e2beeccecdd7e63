package dev.agenttasks.api;

import java.time.Clock;

import dev.agenttasks.domain.callback.CallbackNotifier;
import dev.agenttasks.domain.port.CancelRequest;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskStatus;

/**
 * {@code POST /tasks/{id}/cancel}: stops a task its owner no longer wants. A pending task is cancelled at once
 * (200 with the final view); a running one is marked and its worker stops at its next lease renewal (202 with
 * the view as it is); a cancelled one answers 200 again (the request is idempotent); a complete or failed
 * one is a 409. Another caller's task is a 404.
 */
public final class CancelTaskApi {

    private final TaskRepository tasks;
    private final GetTaskApi views;
    private final Clock clock;
    private final CallbackNotifier callbacks;

    public CancelTaskApi(TaskRepository tasks, GetTaskApi views, Clock clock, CallbackNotifier callbacks) {
        this.tasks = tasks;
        this.views = views;
        this.clock = clock;
        this.callbacks = callbacks;
    }

    public HttpResponse handle(HttpRequest request) {
        String caller = request.caller().orElseThrow(() ->
                new ProblemException(ProblemType.UNAUTHENTICATED, "the request carries no authenticated caller"));
        String id = request.pathParameter("id").orElse("");
        if (!TaskIds.isWellFormed(id)) {
            throw GetTaskApi.notFound();
        }
        CancelRequest result = tasks.requestCancel(id, caller, clock.instant());
        if (result instanceof CancelRequest.Cancelled cancelled) {
            // A webhook not marked here is marked when the task's message reaches a worker.
            callbacks.taskFinished(cancelled.task());
            return views.view(cancelled.task());
        }
        if (result instanceof CancelRequest.Requested requested) {
            HttpResponse view = views.view(requested.task());
            return new HttpResponse(202, view.headers(), view.body());
        }
        if (result instanceof CancelRequest.AlreadyFinished finished) {
            if (finished.task().isExpired(clock.instant())) {
                throw GetTaskApi.notFound();
            }
            if (finished.task().status() == TaskStatus.CANCELLED) {
                return views.view(finished.task());
            }
            throw new ProblemException(ProblemType.TASK_NOT_CANCELLABLE, "the task is already "
                    + finished.task().status().value() + "; only a pending or running task can be cancelled");
        }
        throw GetTaskApi.notFound();
    }
}
