package dev.agenttasks.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A task as {@code GET /tasks/{id}} shows it. Fields the server has not filled yet are empty; the answer to a
 * new submission ({@code 202}) carries the id and status only. Fields this client does not know are kept in
 * {@link #json()}, the body exactly as the server sent it.
 *
 * @param attempts provider calls so far (0 when not reported)
 */
public record TaskView(String taskId, TaskStatus status, Optional<String> result, Optional<TaskError> error,
                       Optional<String> model, Optional<Usage> usage, Optional<BigDecimal> costUsd,
                       Optional<Long> durationMs, int attempts, Optional<Instant> createdAt,
                       Optional<Instant> updatedAt, Optional<String> tier, Optional<Instant> cancelRequestedAt,
                       String json) {

    /** Why a task failed: a stable {@code code} (e.g. {@code attempts_exhausted}) and a message fit to show. */
    public record TaskError(String code, String message) {
    }

    /** Tokens the task used. */
    public record Usage(long inputTokens, long outputTokens, long totalTokens) {
    }

    public TaskView {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(status, "status");
    }

    /** Reads a task view; unknown members are ignored (kept in {@link #json()}). */
    static TaskView from(JsonNode node, String json) {
        if (node == null || !node.isObject() || !node.path("task_id").isTextual()) {
            throw new IllegalArgumentException("not a task view: " + abbreviate(json));
        }
        JsonNode error = node.path("error");
        JsonNode usage = node.path("usage");
        return new TaskView(
                node.get("task_id").asText(),
                TaskStatus.of(node.path("status").asText("")),
                text(node, "result"),
                error.isObject() ? Optional.of(new TaskError(error.path("code").asText(""), error.path("message").asText("")))
                        : Optional.empty(),
                text(node, "model"),
                usage.isObject() ? Optional.of(new Usage(usage.path("input_tokens").asLong(0),
                        usage.path("output_tokens").asLong(0), usage.path("total_tokens").asLong(0))) : Optional.empty(),
                node.path("cost_usd").isNumber() ? Optional.of(node.get("cost_usd").decimalValue()) : Optional.empty(),
                node.path("duration_ms").isIntegralNumber() ? Optional.of(node.get("duration_ms").asLong()) : Optional.empty(),
                node.path("attempts").asInt(0),
                instant(node, "created_at"),
                instant(node, "updated_at"),
                text(node, "tier"),
                instant(node, "cancel_requested_at"),
                json);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static Optional<Instant> instant(JsonNode node, String field) {
        try {
            return text(node, field).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "(no body)";
        }
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
