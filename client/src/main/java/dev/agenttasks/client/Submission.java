package dev.agenttasks.client;

/**
 * What {@code POST /tasks} answered.
 *
 * @param task           the task: id and status for a new task ({@code 202}), the full view for a replay or
 *                       when the server waited for the outcome ({@code Prefer: wait})
 * @param replayed       the server answered from an earlier request with the same key and body
 *                       ({@code Idempotent-Replayed: true}), e.g. after this client retried a request whose
 *                       answer was lost: never a second task
 * @param idempotencyKey the key sent with every attempt (the caller's, or one generated for this submit)
 */
public record Submission(TaskView task, boolean replayed, String idempotencyKey) {
}
