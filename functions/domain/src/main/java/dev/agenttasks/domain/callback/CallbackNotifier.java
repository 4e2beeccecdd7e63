package dev.agenttasks.domain.callback;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agenttasks.domain.port.CallbackAttempt;
import dev.agenttasks.domain.port.CallbackLedger;
import dev.agenttasks.domain.port.TaskQueue;
import dev.agenttasks.domain.task.Task;

/**
 * Starts a finished task's webhook: marks it owed (which puts the task in the reconciler's index) and sends its
 * delivery message to the callback queue. Whoever finishes a task calls it after the terminal write: the worker,
 * the cancel API, the reconciler. A message lost between the mark and the send is sent again by the reconciler
 * ({@link #redrive}); a mark that could not be written is reported, so the caller can keep its own message.
 */
public final class CallbackNotifier {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackNotifier.class);

    /** An owed webhook with no delivery since is re-sent by the reconciler this long after its last send. */
    public static final Duration REDRIVE_AFTER = Duration.ofMinutes(15);
    /** The reconciler gives up a webhook still owed this long after its task's deadline. */
    public static final Duration GIVE_UP_AFTER = Duration.ofHours(24);

    private final CallbackLedger ledger;
    private final Optional<TaskQueue> queue;
    private final Clock clock;

    public CallbackNotifier(CallbackLedger ledger, Optional<TaskQueue> queue, Clock clock) {
        this.ledger = ledger;
        this.queue = queue;
        this.clock = clock;
    }

    /** Sends no webhook (a deployment without a callback queue). */
    public static CallbackNotifier disabled() {
        return new CallbackNotifier(null, Optional.empty(), Clock.systemUTC());
    }

    /**
     * After {@code task} (as read before its terminal write) finished: starts its webhook if it has a callback URL
     * and none is owed yet. False only when the store could not record the mark: the caller should come back.
     */
    public boolean taskFinished(Task task) {
        if (task.callbackUrl() == null || task.callback() != null) {
            return true;
        }
        return taskFinished(task.id());
    }

    /** As {@link #taskFinished(Task)} for a task not read (the reconciler's): the store checks for a URL. */
    public boolean taskFinished(String taskId) {
        if (queue.isEmpty()) {
            return true;
        }
        try {
            if (!ledger.markCallbackOwed(taskId, clock.instant().plus(REDRIVE_AFTER))) {
                return true;   // no callback URL, or owed already
            }
        } catch (RuntimeException e) {
            LOG.warn("task {}: could not mark its webhook owed: {}", taskId, e.toString());
            return false;
        }
        send(taskId);
        return true;
    }

    /**
     * The reconciler's pass over an owed webhook it found due at {@code seenDueAt}: sends its message again, or
     * gives it up when it has been owed past {@code giveUpAt}. True when it did either.
     */
    public boolean redrive(String taskId, Instant seenDueAt, Instant giveUpAt) {
        if (queue.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        if (!now.isBefore(giveUpAt)) {
            boolean gaveUp = ledger.recordCallbackAttempt(taskId, new CallbackAttempt.GaveUp("expired", false), now);
            if (gaveUp) {
                LOG.warn("task {}: webhook still undelivered at {}; given up", taskId, giveUpAt);
            }
            return gaveUp;
        }
        if (!ledger.claimCallbackRedrive(taskId, seenDueAt, now.plus(REDRIVE_AFTER))) {
            return false;
        }
        queue.get().enqueue(taskId);
        LOG.warn("task {}: webhook owed with no delivery since {}; its message is sent again", taskId, seenDueAt);
        return true;
    }

    private void send(String taskId) {
        try {
            queue.get().enqueue(taskId);
        } catch (RuntimeException e) {
            LOG.warn("task {}: webhook message not sent ({}); the reconciler sends it within {} min", taskId,
                    e.toString(), REDRIVE_AFTER.toMinutes());
        }
    }
}
