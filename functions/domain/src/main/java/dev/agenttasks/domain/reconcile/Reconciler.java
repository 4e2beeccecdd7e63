package dev.agenttasks.domain.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agenttasks.domain.callback.CallbackNotifier;
import dev.agenttasks.domain.metrics.Metric;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.DeadLetterQueue.DeadLetter;
import dev.agenttasks.domain.port.DeadLetterQueue;
import dev.agenttasks.domain.port.LiveTaskIndex.DueTask;
import dev.agenttasks.domain.port.LiveTaskIndex.UnleasedFailure;
import dev.agenttasks.domain.port.LiveTaskIndex;
import dev.agenttasks.domain.port.TaskQueue;
import dev.agenttasks.domain.process.InvocationClock;
import dev.agenttasks.domain.task.FailureReason;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.domain.task.TaskStatus;

/**
 * One pass over the tasks that nothing else will move on (see docs/reliability.md, "Reconciler"):
 * <ul>
 *   <li>pending tasks past their due time (the submission's send failed or it died after storing the
 *       task, or a message went missing) get a message;</li>
 *   <li>running tasks whose lease expired (the worker died) get a message, so a worker takes them over;</li>
 *   <li>tasks past their deadline that no worker holds are failed with {@code deadline_exceeded};</li>
 *   <li>messages in the dead-letter queue fail their task with {@code dead_lettered}, then are deleted.</li>
 * </ul>
 * It reads only the sparse index of live tasks that are due, never the table, and every write is
 * conditional: a run racing a worker, a submission or another run changes nothing it should not.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    public static final int DEFAULT_MAX_TASKS_PER_RUN = 500;
    /** The {@code Action} values of {@link Metric#RECONCILER_ACTIONS}, emitted every run (zeros included). */
    public static final String ACTION_ENQUEUED = "Enqueued";
    public static final String ACTION_LEASE_REDRIVEN = "LeaseRedriven";
    public static final String ACTION_DEADLINE_FAILED = "DeadlineFailed";
    public static final String ACTION_DEAD_LETTERED = "DeadLettered";
    public static final String ACTION_POISON_DELETED = "PoisonDeleted";
    public static final String ACTION_ERROR = "Error";
    public static final String ACTION_CALLBACK_REDRIVEN = "CallbackRedriven";
    public static final int DEFAULT_MAX_DEAD_LETTERS_PER_RUN = 100;
    /** When a send fails, the task is due again after this long. */
    public static final Duration REDRIVE_RETRY = Duration.ofMinutes(2);
    /** A run stops taking new work when its invocation has less than this left. */
    public static final Duration MIN_TIME_LEFT = Duration.ofSeconds(5);

    private final LiveTaskIndex tasks;
    private final TaskQueue queue;
    private final Optional<DeadLetterQueue> deadLetters;
    private final Metrics metrics;
    private final Clock clock;
    private final Options options;
    private final Optional<Supplier<Duration>> longestOpenBreaker;
    private final CallbackNotifier callbacks;

    /** The task deadline (the same maximum age the worker enforces) and the per-run bounds. */
    public record Options(Duration maxTaskAge, int maxTasksPerRun, int maxDeadLettersPerRun) {
        public Options {
            Objects.requireNonNull(maxTaskAge, "maxTaskAge");
            if (maxTasksPerRun < 1 || maxDeadLettersPerRun < 0) {
                throw new IllegalArgumentException("per-run bounds must be positive");
            }
        }

        public static Options of(Duration maxTaskAge) {
            return new Options(maxTaskAge, DEFAULT_MAX_TASKS_PER_RUN, DEFAULT_MAX_DEAD_LETTERS_PER_RUN);
        }
    }

    /** What one run did. {@code due} counts the index entries read; {@code skipped} those needing nothing. */
    public record Summary(int due, int enqueued, int leasesRedriven, int deadlineFailed, int deadLettered,
                          int poisonMessages, int callbacksRedriven, int skipped, int errors) {

        /** The summary as the handler returns it (Lambda serialises maps, not records). */
        public Map<String, Object> asMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("due", due);
            map.put("enqueued", enqueued);
            map.put("leasesRedriven", leasesRedriven);
            map.put("deadlineFailed", deadlineFailed);
            map.put("deadLettered", deadLettered);
            map.put("poisonMessages", poisonMessages);
            map.put("callbacksRedriven", callbacksRedriven);
            map.put("skipped", skipped);
            map.put("errors", errors);
            return map;
        }
    }

    public Reconciler(LiveTaskIndex tasks, TaskQueue queue, Optional<? extends DeadLetterQueue> deadLetters, Metrics metrics,
                      Clock clock, Options options) {
        this(tasks, queue, deadLetters, metrics, clock, options, Optional.empty());
    }

    /**
     * As above, also emitting {@link Metric#LONGEST_OPEN_BREAKER_SECONDS} each run from {@code longestOpenBreaker}
     * (e.g. {@code SharedCircuitBreaker::longestOpen}); a run that cannot read it counts an error.
     */
    public Reconciler(LiveTaskIndex tasks, TaskQueue queue, Optional<? extends DeadLetterQueue> deadLetters, Metrics metrics,
                      Clock clock, Options options, Optional<Supplier<Duration>> longestOpenBreaker) {
        this(tasks, queue, deadLetters, metrics, clock, options, longestOpenBreaker, CallbackNotifier.disabled());
    }

    /**
     * As above, also starting the webhook of each task it fails, and sending again (or giving up) each owed webhook
     * that the index shows due.
     */
    public Reconciler(LiveTaskIndex tasks, TaskQueue queue, Optional<? extends DeadLetterQueue> deadLetters, Metrics metrics,
                      Clock clock, Options options, Optional<Supplier<Duration>> longestOpenBreaker,
                      CallbackNotifier callbacks) {
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
        this.longestOpenBreaker = Objects.requireNonNull(longestOpenBreaker, "longestOpenBreaker");
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters").map(DeadLetterQueue.class::cast);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.options = Objects.requireNonNull(options, "options");
    }

    public Summary run() {
        return run(InvocationClock.unlimited());
    }

    public Summary run(InvocationClock invocation) {
        Counts counts = new Counts();
        Instant now = clock.instant();
        List<DueTask> due = tasks.findDue(now, options.maxTasksPerRun());
        counts.due = due.size();
        for (DueTask task : due) {
            if (invocation.remaining().compareTo(MIN_TIME_LEFT) < 0) {
                LOG.warn("reconciler out of time after {} of {} due tasks; the rest wait for the next run",
                        counts.handled(), due.size());
                break;
            }
            try {
                reconcile(task, now, counts);
            } catch (RuntimeException e) {
                counts.errors++;
                LOG.error("could not reconcile task {}", task.taskId(), e);
            }
        }
        deadLetters.ifPresent(dlq -> drain(dlq, invocation, counts));
        longestOpenBreaker.ifPresent(gauge -> emitLongestOpenBreaker(gauge, counts));
        Summary summary = counts.summary();
        emitMetrics(summary);
        LOG.info("reconciler run: {}", summary.asMap());
        return summary;
    }

    /**
     * One line for the dead-letter and poison counts, one per action ({@link Metric#RECONCILER_ACTIONS}), and the
     * tasks it failed as {@link Metric#TASKS_FAILED} by reason.
     */
    private void emitMetrics(Summary summary) {
        metrics.line()
                .put(Metric.DEAD_LETTERED_TASKS, summary.deadLettered())
                .put(Metric.POISON_MESSAGES, summary.poisonMessages())
                .emit();
        Map<String, Integer> actions = new LinkedHashMap<>();
        actions.put(ACTION_ENQUEUED, summary.enqueued());
        actions.put(ACTION_LEASE_REDRIVEN, summary.leasesRedriven());
        actions.put(ACTION_DEADLINE_FAILED, summary.deadlineFailed());
        actions.put(ACTION_DEAD_LETTERED, summary.deadLettered());
        actions.put(ACTION_POISON_DELETED, summary.poisonMessages());
        actions.put(ACTION_CALLBACK_REDRIVEN, summary.callbacksRedriven());
        actions.put(ACTION_ERROR, summary.errors());
        actions.forEach((action, count) -> metrics.put(Metric.RECONCILER_ACTIONS, count, action));
        if (summary.deadlineFailed() > 0) {
            metrics.put(Metric.TASKS_FAILED, summary.deadlineFailed(), FailureReason.DEADLINE_EXCEEDED.code());
        }
        if (summary.deadLettered() > 0) {
            metrics.put(Metric.TASKS_FAILED, summary.deadLettered(), FailureReason.DEAD_LETTERED.code());
        }
    }

    private void emitLongestOpenBreaker(Supplier<Duration> gauge, Counts counts) {
        try {
            metrics.put(Metric.LONGEST_OPEN_BREAKER_SECONDS, gauge.get().toSeconds());
        } catch (RuntimeException e) {
            counts.errors++;
            LOG.error("could not read the circuit breakers for the LongestOpenBreakerSeconds gauge", e);
        }
    }

    private void reconcile(DueTask task, Instant now, Counts counts) {
        String id = task.taskId();
        if (task.status().isTerminal()) {
            // In the index while its webhook is owed.
            Instant giveUpAt = task.createdAt().plus(options.maxTaskAge()).plus(CallbackNotifier.GIVE_UP_AFTER);
            if (callbacks.redrive(id, task.dueAt(), giveUpAt)) {
                counts.callbacksRedriven++;
            } else {
                counts.skipped++;
            }
            return;
        }
        if (!now.isBefore(task.createdAt().plus(options.maxTaskAge()))) {
            UnleasedFailure result = tasks.failUnleased(id, TaskError.deadlineExceeded(options.maxTaskAge(), Optional.empty()), now);
            if (result == UnleasedFailure.FAILED) {
                counts.deadlineFailed++;
                LOG.warn("task {} failed: past its deadline while {}", id, task.status().value());
                callbacks.taskFinished(id);
            } else {
                // LEASED: a live worker is bound by the same deadline and fails it itself.
                counts.skipped++;
            }
            return;
        }
        boolean leaseExpired = task.status() == TaskStatus.RUNNING
                && task.leaseExpiresAt() != null && task.leaseExpiresAt().isBefore(now);
        if (task.status() != TaskStatus.PENDING && !leaseExpired) {
            counts.skipped++;   // the index lags the table: the task moved on since
            return;
        }
        // The next due time is written before the message exists: a worker's claim, which sets its own, comes after.
        Instant nextDue = now.plus(LiveTaskIndex.REQUEUE_AFTER);
        if (!tasks.claimRedrive(id, task.dueAt(), now, nextDue)) {
            counts.skipped++;   // changed since the index was read, or another run took it
            return;
        }
        try {
            queue.enqueue(id);
        } catch (RuntimeException e) {
            try {
                tasks.reschedule(id, nextDue, now.plus(REDRIVE_RETRY));
            } catch (RuntimeException again) {
                e.addSuppressed(again);   // then it is due at nextDue
            }
            throw e;
        }
        tasks.markRedriven(id, nextDue, now);
        if (leaseExpired) {
            counts.leasesRedriven++;
            LOG.warn("task {} lease expired at {}: message re-sent for a takeover", id, task.leaseExpiresAt());
        } else {
            counts.enqueued++;
            LOG.warn("task {} pending since {} with {}: message sent", id, task.createdAt(),
                    task.enqueuedAt() == null ? "no message received by a worker" : "no message seen since " + task.enqueuedAt());
        }
    }

    private void drain(DeadLetterQueue dlq, InvocationClock invocation, Counts counts) {
        int seen = 0;
        while (seen < options.maxDeadLettersPerRun() && invocation.remaining().compareTo(MIN_TIME_LEFT) >= 0) {
            List<DeadLetter> batch;
            try {
                batch = dlq.receive(Math.min(10, options.maxDeadLettersPerRun() - seen));
            } catch (RuntimeException e) {
                counts.errors++;
                LOG.error("could not read the dead-letter queue", e);
                return;
            }
            if (batch.isEmpty()) {
                return;
            }
            for (DeadLetter message : batch) {
                seen++;
                try {
                    accountFor(dlq, message, counts);
                } catch (RuntimeException e) {
                    counts.errors++;
                    LOG.error("could not account for dead-letter message {}", message.messageId(), e);
                }
            }
        }
    }

    private void accountFor(DeadLetterQueue dlq, DeadLetter message, Counts counts) {
        Optional<String> taskId = TaskMessages.taskId(message.body());
        if (taskId.isEmpty()) {
            counts.poisonMessages++;
            LOG.error("dead-letter message {} is not a task message; deleted", message.messageId());
            dlq.delete(message);
            return;
        }
        String id = taskId.get();
        UnleasedFailure result = tasks.failUnleased(id, TaskError.deadLettered(), clock.instant());
        switch (result) {
            case FAILED -> {
                counts.deadLettered++;
                LOG.error("task {} failed: its message {} reached the dead-letter queue", id, message.messageId());
                if (!callbacks.taskFinished(id)) {
                    counts.errors++;
                    return;   // the message stays: the next run marks the webhook owed
                }
            }
            case ALREADY_TERMINAL -> {
                LOG.info("dead-letter message {} for task {} that already finished", message.messageId(), id);
                if (!callbacks.taskFinished(id)) {
                    counts.errors++;
                    return;
                }
            }
            case NOT_FOUND -> {
                counts.poisonMessages++;
                LOG.error("dead-letter message {} names unknown task {}; deleted", message.messageId(), id);
            }
            case LEASED -> {
                // A worker holds a live lease (another message of the task is being processed): look again later.
                counts.skipped++;
                LOG.info("dead-letter message {}: task {} is leased; kept for a later run", message.messageId(), id);
                return;
            }
        }
        dlq.delete(message);
    }

    private static final class Counts {
        int due;
        int enqueued;
        int leasesRedriven;
        int deadlineFailed;
        int deadLettered;
        int poisonMessages;
        int skipped;
        int callbacksRedriven;
        int errors;

        int handled() {
            return enqueued + leasesRedriven + deadlineFailed + callbacksRedriven + skipped + errors;
        }

        Summary summary() {
            return new Summary(due, enqueued, leasesRedriven, deadlineFailed, deadLettered, poisonMessages,
                    callbacksRedriven, skipped, errors);
        }
    }
}
