package dev.agenttasks.core.http;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.agenttasks.core.task.Task;

/** The task as callers see it: no lease, owner or storage details. */
public final class TaskView {

    private TaskView() {
    }

    public static Map<String, Object> of(Task task) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("task_id", task.id());
        view.put("status", task.status().value());
        view.put("result", task.result());
        view.put("error", task.error() == null ? null
                : Map.of("code", task.error().code(), "message", task.error().message()));
        view.put("model", task.model());
        view.put("usage", task.usage() == null ? null : Map.of(
                "input_tokens", task.usage().inputTokens(),
                "output_tokens", task.usage().outputTokens(),
                "total_tokens", task.usage().totalTokens()));
        view.put("cost_usd", task.costUsd());
        view.put("duration_ms", task.durationMs());
        view.put("attempts", task.attempts());
        view.put("created_at", task.createdAt().toString());
        view.put("updated_at", task.updatedAt() == null ? null : task.updatedAt().toString());
        return view;
    }
}
