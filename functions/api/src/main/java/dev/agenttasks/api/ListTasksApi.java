package dev.agenttasks.api;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.agenttasks.domain.port.TaskPage;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskStatus;

/**
 * {@code GET /tasks?status=&limit=&cursor=}: the caller's own tasks, newest first, a page at a time, read from
 * an index keyed by owner (never a scan). Expired tasks are left out, as {@code GET /tasks/{id}} hides them.
 */
public final class ListTasksApi {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;
    private static final Set<String> PARAMETERS = Set.of("status", "limit", "cursor");

    private final TaskRepository tasks;
    private final PageCursor cursors;
    private final Clock clock;

    public ListTasksApi(TaskRepository tasks, byte[] cursorKey, Clock clock) {
        this.tasks = tasks;
        this.cursors = new PageCursor(cursorKey);
        this.clock = clock;
    }

    public HttpResponse handle(HttpRequest request) {
        String caller = request.caller().orElseThrow(() ->
                new ProblemException(ProblemType.UNAUTHENTICATED, "the request carries no authenticated caller"));
        List<Problem.FieldError> errors = new ArrayList<>();
        for (String name : request.queryParameters().keySet()) {
            if (!PARAMETERS.contains(name)) {
                errors.add(new Problem.FieldError("?" + name, "unknown parameter; allowed: status, limit, cursor"));
            }
        }
        Optional<TaskStatus> status = Optional.empty();
        Optional<String> rawStatus = request.queryParameter("status");
        if (rawStatus.isPresent()) {
            status = parseStatus(rawStatus.get());
            if (status.isEmpty()) {
                errors.add(new Problem.FieldError("?status", "must be one of pending, running, complete, failed, cancelled"));
            }
        }
        int limit = DEFAULT_LIMIT;
        Optional<String> rawLimit = request.queryParameter("limit");
        if (rawLimit.isPresent()) {
            limit = parseLimit(rawLimit.get());
            if (limit < 1) {
                errors.add(new Problem.FieldError("?limit", "must be a whole number from 1 to " + MAX_LIMIT));
            }
        }
        Optional<TaskPage.Position> after = Optional.empty();
        Optional<String> cursor = request.queryParameter("cursor");
        if (cursor.isPresent() && errors.isEmpty()) {
            after = cursors.decode(cursor.get(), caller, status);
            if (after.isEmpty()) {
                errors.add(new Problem.FieldError("?cursor", "is not a cursor this list gave you (with the same status)"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem(ProblemType.INVALID_QUERY, "the query has " + errors.size()
                    + " invalid parameter" + (errors.size() == 1 ? "" : "s"), null, errors));
        }
        TaskPage page = tasks.listOwned(caller, status, limit, after);
        List<Map<String, Object>> views = new ArrayList<>();
        for (Task task : page.tasks()) {
            if (!task.isExpired(clock.instant())) {
                views.add(TaskView.of(task));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tasks", views);
        Optional<TaskStatus> filter = status;
        body.put("next_cursor", page.next().map(position -> cursors.encode(caller, filter, position)).orElse(null));
        return Json.response(200, body);
    }

    private static Optional<TaskStatus> parseStatus(String raw) {
        for (TaskStatus status : TaskStatus.values()) {
            if (status.value().equals(raw)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    private static int parseLimit(String raw) {
        if (raw.isEmpty() || raw.length() > 3 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int value = Integer.parseInt(raw);
        return value >= 1 && value <= MAX_LIMIT ? value : -1;
    }
}
