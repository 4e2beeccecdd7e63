package dev.agenttasks.api;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.agenttasks.domain.task.Callback;
import dev.agenttasks.domain.task.Task;

/** The task as callers see it: no lease, owner or storage details. */
public final class TaskView {

    private TaskView() {
    }

    public static Map<String, Object> of(Task task) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("task_id", task.id());
        view.put("status", task.status().value());
        view.put("result", task.result());
        Map<String, Object> error = null;
        if (task.error() != null) {
            error = new LinkedHashMap<>();
            error.put("code", task.error().code());
            error.put("message", task.error().message());
        }
        view.put("error", error);
        view.put("model", task.model());
        Map<String, Object> usage = null;
        if (task.usage() != null) {
            usage = new LinkedHashMap<>();
            usage.put("input_tokens", task.usage().inputTokens());
            usage.put("output_tokens", task.usage().outputTokens());
            usage.put("total_tokens", task.usage().totalTokens());
        }
        view.put("usage", usage);
        view.put("cost_usd", task.progress() != null ? task.spent().costUsd() : task.costUsd());
        if (task.progress() != null) {
            view.put("cost_estimated", task.spent().estimated());
            Map<String, Object> spent = new LinkedHashMap<>();
            spent.put("input_tokens", task.spent().inputTokens());
            spent.put("output_tokens", task.spent().outputTokens());
            spent.put("total_tokens", task.spent().totalTokens());
            view.put("tokens_spent", spent);
            view.put("input_tokens_estimated", task.progress().inputTokensEstimated());
            view.put("messages_dropped", task.progress().messagesDropped());
            view.put("degraded", task.progress().degraded());
        }
        if (task.maxTotalTokens() != null) {
            view.put("max_total_tokens", task.maxTotalTokens());
        }
        if (task.routing() != null) {
            Map<String, Object> routing = new LinkedHashMap<>();
            routing.put("tier", task.routing().tier());
            routing.put("reason_code", task.routing().reasonCode());
            routing.put("reason", task.routing().reason());
            view.put("routing", routing);
        }
        view.put("duration_ms", task.durationMs());
        view.put("attempts", task.attempts());
        view.put("created_at", task.createdAt().toString());
        view.put("updated_at", task.updatedAt() == null ? null : task.updatedAt().toString());
        task.cancelRequested().ifPresent(at -> view.put("cancel_requested_at", at.toString()));
        if (task.status() == dev.agenttasks.domain.task.TaskStatus.PENDING) {
            task.waitingFor().ifPresent(waiting -> {
                Map<String, Object> why = new LinkedHashMap<>();
                why.put("reason", waiting.reason().value());
                why.put("model", waiting.model());
                why.put("until", waiting.until().toString());
                view.put("waiting", why);
            });
        }
        if (task.callbackUrl() != null) {
            Map<String, Object> callback = new LinkedHashMap<>();
            callback.put("url", task.callbackUrl());
            callback.put("status", task.callback() == null ? Callback.Status.PENDING.value() : task.callback().status().value());
            callback.put("attempts", task.callback() == null ? 0 : task.callback().attempts());
            callback.put("last_error", task.callback() == null ? null : task.callback().lastError());
            view.put("callback", callback);
        }
        return view;
    }

    /**
     * The body of the task's webhook: its view as {@code GET /tasks/{id}} shows it, without {@code callback} (the
     * delivery's own bookkeeping), so every retry carries the same bytes.
     */
    public static String webhookBody(Task task) {
        Map<String, Object> view = of(task);
        view.remove("callback");
        return Json.response(200, view).body();
    }
}
