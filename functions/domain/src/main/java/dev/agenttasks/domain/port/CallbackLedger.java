package dev.agenttasks.domain.port;

import java.time.Instant;

/**
 * The webhook bookkeeping on a task (the task store implements it). A finished task with a callback URL is marked
 * owed once, which also puts it in the reconciler's index (due at {@code dueAt}) so a lost delivery message is sent
 * again; each delivery records its outcome; a settled webhook leaves the index. Every write is conditional, so
 * concurrent deliveries and reconciler runs agree.
 */
public interface CallbackLedger {

    /**
     * Marks the webhook of a finished task owed, due for the reconciler at {@code dueAt}. True only for the write
     * that did it: false when the task has no callback URL, is not finished, or its webhook is already owed or settled.
     */
    boolean markCallbackOwed(String taskId, Instant dueAt);

    /**
     * Records a delivery's outcome on an owed webhook (attempts + 1, unless the attempt made no call); false when
     * it is not owed (already settled by another delivery).
     */
    boolean recordCallbackAttempt(String taskId, CallbackAttempt attempt, Instant now);

    /**
     * The reconciler's right to send an owed webhook's message again: granted while it is owed and still due at
     * {@code seenDueAt}; moves its due time to {@code nextDueAt}.
     */
    boolean claimCallbackRedrive(String taskId, Instant seenDueAt, Instant nextDueAt);
}
