package dev.agenttasks.domain.task;

/**
 * Why a task failed: a stable {@code code} (e.g. {@code provider_http_400}, {@code attempts_exhausted})
 * and a message safe to show the task's owner.
 */
public record TaskError(String code, String message) {
}
