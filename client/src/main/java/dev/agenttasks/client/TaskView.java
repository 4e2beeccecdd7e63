package dev.agenttasks.client;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * A task as {@code GET /tasks/{id}} shows it. Fields the server has not filled yet are empty; the answer to a
 * new submission ({@code 202}) carries the id and status only. Fields this client does not know are kept in
 * {@link #json()}, the body exactly as the server sent it. The view's less common members ({@link #routing()},
 * {@link #callback()}, {@link #waiting()}, {@link #tokensSpent()}, {@link #maxTotalTokens()},
 * {@link #degraded()}) are read from {@link #json()} when asked for.
 *
 * @param attempts provider calls so far (0 when not reported)
 * @param tier     the routing tier the task was given at submit ({@code routing.tier})
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

    /**
     * The tier chosen at submit and why: {@code reasonCode} is stable ({@code tier_hint}, {@code simple_task},
     * ...), {@code reason} a sentence for people.
     */
    public record Routing(String tier, String reasonCode, String reason) {
    }

    /**
     * Where the task's webhook stands: {@code status} is {@code pending} (not finished yet, or owed),
     * {@code delivered} or {@code failed}; {@code attempts} the POSTs made; {@code lastError} the code of the
     * last failed attempt ({@code http_500}, {@code timeout}, ...), kept after a later success.
     */
    public record Callback(String url, String status, int attempts, Optional<String> lastError) {
    }

    /**
     * Why a pending task is not being worked on: {@code reason} {@code circuit_open} or {@code rate_limited}
     * for {@code model}, {@code until} when it is tried again.
     */
    public record Waiting(String reason, String model, Optional<Instant> until) {
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
                usage(usage),
                node.path("cost_usd").isNumber() ? Optional.of(node.get("cost_usd").decimalValue()) : Optional.empty(),
                node.path("duration_ms").isIntegralNumber() ? Optional.of(node.get("duration_ms").asLong()) : Optional.empty(),
                node.path("attempts").asInt(0),
                instant(node, "created_at"),
                instant(node, "updated_at"),
                text(node.path("routing"), "tier"),
                instant(node, "cancel_requested_at"),
                json);
    }

    /** {@code routing}: the tier chosen at submit and why; empty for a task not routed at submit. */
    public Optional<Routing> routing() {
        JsonNode routing = parsed().path("routing");
        return routing.isObject() ? Optional.of(new Routing(routing.path("tier").asText(""),
                routing.path("reason_code").asText(""), routing.path("reason").asText(""))) : Optional.empty();
    }

    /** {@code callback}: the webhook's delivery, for a task submitted with a {@code callback_url}. */
    public Optional<Callback> callback() {
        JsonNode callback = parsed().path("callback");
        return callback.isObject() ? Optional.of(new Callback(callback.path("url").asText(""),
                callback.path("status").asText(""), callback.path("attempts").asInt(0), text(callback, "last_error")))
                : Optional.empty();
    }

    /** {@code waiting}: present while the task is pending and held by its model's breaker or a rate limit. */
    public Optional<Waiting> waiting() {
        JsonNode waiting = parsed().path("waiting");
        return waiting.isObject() ? Optional.of(new Waiting(waiting.path("reason").asText(""),
                waiting.path("model").asText(""), instant(waiting, "until"))) : Optional.empty();
    }

    /** {@code tokens_spent}: tokens charged across every attempt, failed ones included (what counts against the cap). */
    public Optional<Usage> tokensSpent() {
        return usage(parsed().path("tokens_spent"));
    }

    /** {@code max_total_tokens}: the task's token cap across all attempts. */
    public Optional<Long> maxTotalTokens() {
        JsonNode cap = parsed().path("max_total_tokens");
        return cap.isIntegralNumber() ? Optional.of(cap.asLong()) : Optional.empty();
    }

    /** {@code degraded}: whether the last call went to the tier's fallback model (the primary's breaker was open). */
    public boolean degraded() {
        return parsed().path("degraded").asBoolean(false);
    }

    private JsonNode parsed() {
        if (json == null) {
            return MissingNode.getInstance();
        }
        try {
            return Transport.JSON.readTree(json);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    private static Optional<Usage> usage(JsonNode usage) {
        return usage.isObject() ? Optional.of(new Usage(usage.path("input_tokens").asLong(0),
                usage.path("output_tokens").asLong(0), usage.path("total_tokens").asLong(0))) : Optional.empty();
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
