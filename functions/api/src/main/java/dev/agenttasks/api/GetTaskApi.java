package dev.agenttasks.api;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;

/**
 * {@code GET /tasks/{id}}: the task for its owner. Another caller's task, an expired one and an unknown id
 * all answer the same 404, so ids cannot be probed. A poller gets an {@code ETag} (and a 304 for an unchanged
 * view), a {@code Retry-After} while the task runs, and with {@code Prefer: wait=N} the answer waits up to N
 * seconds for the task to finish (or, with {@code If-None-Match}, to change).
 */
public final class GetTaskApi {

    private final TaskRepository tasks;
    private final Clock clock;
    private final TaskWaiter waiter;

    public GetTaskApi(TaskRepository tasks, Clock clock) {
        this(tasks, clock, TaskWaiter.sleeping(tasks, clock));
    }

    public GetTaskApi(TaskRepository tasks, Clock clock, TaskWaiter waiter) {
        this.tasks = tasks;
        this.clock = clock;
        this.waiter = waiter;
    }

    public HttpResponse handle(HttpRequest request) {
        String caller = request.caller().orElseThrow(() ->
                new ProblemException(ProblemType.UNAUTHENTICATED, "the request carries no authenticated caller"));
        Optional<Duration> wait = Preferences.waitOf(request);
        Task task = owned(request, caller);
        Optional<String> ifNoneMatch = request.header("If-None-Match");
        if (wait.isPresent()) {
            task = waiter.await(task, wait.get(), t -> t.status().isTerminal()
                    || (ifNoneMatch.isPresent() && !PollingHeaders.matches(ifNoneMatch, etagOf(t))));
        }
        HttpResponse response = view(task);
        if (PollingHeaders.matches(ifNoneMatch, response.headers().get("ETag"))) {
            response = new HttpResponse(304, notModifiedHeaders(response), "");
        }
        return wait.isPresent() ? response.withHeader("Preference-Applied", Preferences.applied(wait.get())) : response;
    }

    /** The task's view with its polling headers: ETag always, Retry-After while it is not finished. */
    HttpResponse view(Task task) {
        HttpResponse response = Json.response(200, TaskView.of(task));
        response = response.withHeader("ETag", PollingHeaders.etag(response.body()));
        Optional<Long> retryAfter = PollingHeaders.retryAfterSeconds(task, clock.instant());
        return retryAfter.isPresent() ? response.withHeader("Retry-After", Long.toString(retryAfter.get())) : response;
    }

    public HttpResponse health() {
        return Json.response(200, Map.of("status", "ok"));
    }

    private Task owned(HttpRequest request, String caller) {
        String id = request.pathParameter("id").orElse("");
        if (!TaskIds.isWellFormed(id)) {
            throw notFound();
        }
        return tasks.find(id)
                .filter(t -> t.isOwnedBy(caller))
                .filter(t -> !t.isExpired(clock.instant()))
                .orElseThrow(GetTaskApi::notFound);
    }

    private static String etagOf(Task task) {
        return PollingHeaders.etag(Json.response(200, TaskView.of(task)).body());
    }

    private static Map<String, String> notModifiedHeaders(HttpResponse response) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("ETag", response.headers().get("ETag"));
        if (response.headers().containsKey("Retry-After")) {
            headers.put("Retry-After", response.headers().get("Retry-After"));
        }
        return headers;
    }

    static ProblemException notFound() {
        return new ProblemException(ProblemType.TASK_NOT_FOUND, "no task with this id belongs to you");
    }
}
