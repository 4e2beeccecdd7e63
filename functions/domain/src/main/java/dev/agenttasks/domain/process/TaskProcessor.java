package dev.agenttasks.domain.process;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agenttasks.domain.breaker.Permit;
import dev.agenttasks.domain.breaker.SharedCircuitBreaker;
import dev.agenttasks.domain.callback.CallbackNotifier;
import dev.agenttasks.domain.metrics.Metric;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.port.InFlightMessage;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.process.ProcessResult.Outcome;
import dev.agenttasks.domain.process.ProcessResult.Why;
import dev.agenttasks.domain.process.UnrecordedWrites.Unrecorded;
import dev.agenttasks.domain.routing.AttemptCharge;
import dev.agenttasks.domain.routing.Conversation;
import dev.agenttasks.domain.routing.RequestPlanner;
import dev.agenttasks.domain.routing.RequestPlanner.AttemptPlan;
import dev.agenttasks.domain.routing.RequestPlanner.BudgetExceeded;
import dev.agenttasks.domain.routing.RequestPlanner.PromptTooLarge;
import dev.agenttasks.domain.routing.RequestPlanner.Ready;
import dev.agenttasks.domain.routing.RoutingConfig.Model;
import dev.agenttasks.domain.routing.RoutingDecision;
import dev.agenttasks.domain.routing.UnknownTierException;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.Progress;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TokenLedger;
import dev.agenttasks.domain.task.Waiting;

/**
 * Runs one delivery of a task: claim it with a lease, route the model, call the provider, retry transient
 * failures, and record exactly one outcome with a lease-fenced write (docs/reliability.md).
 *
 * <p>A retry waits here while the invocation's remaining time covers the wait, a whole call and a margin;
 * otherwise the lease is released and the message comes back after the wait. Attempts (provider calls) are
 * counted on the task, across deliveries. A store write that fails transiently is retried in place; a final
 * write that still cannot be made is remembered and tried again, under the same lease, when the message
 * comes back.
 */
public final class TaskProcessor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TaskProcessor.class);

    public static final String SYSTEM_PROMPT = "You are a helpful assistant. Complete the task concisely.";
    /** Time kept back at the end of an invocation for the final writes. */
    public static final Duration SAFETY_MARGIN = Duration.ofSeconds(3);
    /** A message refused because another worker holds the lease comes back this long after that lease ends. */
    static final Duration AFTER_LEASE = Duration.ofSeconds(1);
    /** The first wait before a failed store write is tried again in place; it doubles up to the maximum. */
    static final Duration FIRST_STORE_RETRY = Duration.ofMillis(100);
    static final Duration MAX_STORE_RETRY = Duration.ofSeconds(2);
    /** The message of a task whose final write could not be made comes back after this. */
    static final Duration STORE_RETRY_LATER = Duration.ofSeconds(5);

    /** Limits: provider calls per task, the lease, the per-call timeout and the task's maximum age. */
    public record Options(int maxAttempts, Duration lease, Duration callTimeout, Duration maxTaskAge) {
    }

    /** Waits out a backoff; tests pass one that moves their clock instead. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration duration) throws InterruptedException;

        static Pause sleeping() {
            return duration -> Thread.sleep(duration.toMillis());
        }
    }

    private final TaskRepository tasks;
    private final LlmClient llm;
    private final RequestPlanner planner;
    private final Backoff backoff;
    private final Clock clock;
    private final Options options;
    private final Pause pause;
    private final LeaseHeartbeat heartbeat;
    private final UnrecordedWrites unrecorded;
    private final SharedCircuitBreaker breaker;
    private final Metrics metrics;
    private final CallbackNotifier callbacks;

    public TaskProcessor(TaskRepository tasks, LlmClient llm, SharedCircuitBreaker breaker, RequestPlanner planner,
                         Backoff backoff, Clock clock, Options options, Metrics metrics, CallbackNotifier callbacks) {
        this(tasks, llm, breaker, planner, backoff, clock, options, metrics, callbacks, Pause.sleeping());
    }

    /**
     * @param planner routes each task, builds its prompt within the tier's and the task's token budgets, and
     *                prices each attempt
     * @param metrics hears each provider call's latency, each retried failure, and each outcome recorded
     * @param callbacks starts the webhook of each task this processor finishes
     */
    public TaskProcessor(TaskRepository tasks, LlmClient llm, SharedCircuitBreaker breaker, RequestPlanner planner,
                         Backoff backoff, Clock clock, Options options, Metrics metrics, CallbackNotifier callbacks,
                         Pause pause) {
        this.metrics = metrics;
        this.callbacks = callbacks;
        this.tasks = tasks;
        this.breaker = breaker;
        this.llm = llm;
        this.planner = planner;
        this.backoff = backoff;
        this.clock = clock;
        this.options = options;
        this.pause = pause;
        this.heartbeat = new LeaseHeartbeat(tasks, clock, options.lease());
        this.unrecorded = new UnrecordedWrites(clock);
    }

    public ProcessResult process(String taskId, InvocationClock invocation) {
        return process(taskId, invocation, InFlightMessage.none());
    }

    /**
     * One delivery of {@code taskId}'s message. Store failures that outlast the retries in place propagate as
     * {@link DependencyUnavailableException} only before the claim; after it they become a
     * {@link ProcessResult.RetryLater}.
     */
    public ProcessResult process(String taskId, InvocationClock invocation, InFlightMessage message) {
        Optional<ProcessResult> finishedEarlier = retryUnrecordedWrite(taskId, invocation);
        if (finishedEarlier.isPresent()) {
            return finishedEarlier.get();
        }
        String leaseOwner = UUID.randomUUID().toString();
        Instant now = clock.instant();
        Claim claim = tasks.claim(taskId, leaseOwner, now, options.lease());
        if (claim instanceof Claim.Claimed claimed) {
            return work(claimed.task(), leaseOwner, invocation, message);
        }
        if (claim instanceof Claim.NotDue notDue) {
            LOG.info("task {} is not due until {} (provider's wait hint or backoff); message handed back",
                    taskId, notDue.retryAt());
            return ProcessResult.retryLater(Duration.between(now, notDue.retryAt()), Why.NOT_DUE);
        }
        if (claim instanceof Claim.Refused refused) {
            return refused(refused.task(), now);
        }
        LOG.error("message for unknown task {}: acknowledged and dropped", taskId);
        return ProcessResult.done(Outcome.UNKNOWN_TASK);
    }

    private ProcessResult refused(Task task, Instant now) {
        if (task.status().isTerminal()) {
            LOG.info("task {} is already {}: message acknowledged", task.id(), task.status().value());
            // Its finisher may have stopped before starting the webhook: start it (a no-op when it is owed).
            return afterTerminal(callbacks.taskFinished(task), Outcome.ALREADY_FINISHED);
        }
        // Another worker holds a live lease. If it dies, this message takes the task over when the lease ends.
        Instant leaseEnds = task.leaseExpiry().orElse(now);
        LOG.info("task {} is leased until {}: message handed back until then", task.id(), leaseEnds);
        return ProcessResult.retryLater(Duration.between(now, leaseEnds).plus(AFTER_LEASE), Why.LEASED_ELSEWHERE);
    }

    /** A final write this container could not make earlier, tried again under the lease it was made under. */
    private Optional<ProcessResult> retryUnrecordedWrite(String taskId, InvocationClock invocation) {
        Optional<Unrecorded> waiting = unrecorded.take(taskId);
        if (waiting.isEmpty()) {
            return Optional.empty();
        }
        Unrecorded write = waiting.get();
        WriteResult result = write(taskId, write.leaseOwner(), write.write(), invocation);
        if (result == WriteResult.UNAVAILABLE) {
            unrecorded.remember(taskId, write.leaseOwner(), write.write());
            return Optional.of(ProcessResult.retryLater(STORE_RETRY_LATER, Why.STORE_UNAVAILABLE));
        }
        if (result == WriteResult.WRITTEN && write.write() instanceof StoreWrite.Complete complete) {
            LOG.info("task {} complete: its answer, unrecorded earlier, is now stored", taskId);
            countCompleted(Optional.empty(), complete.outcome());
            return Optional.of(afterTerminal(callbacks.taskFinished(taskId), Outcome.COMPLETED));
        }
        if (result == WriteResult.WRITTEN && write.write() instanceof StoreWrite.Fail failed) {
            metrics.put(Metric.TASKS_FAILED, 1, failed.error().code());
            return Optional.of(afterTerminal(callbacks.taskFinished(taskId), Outcome.FAILED));
        }
        // A release now made, or a lease lost meanwhile: the claim below sees the task as it is.
        return Optional.empty();
    }

    /** One delivery's work on a claimed task: what it has spent and counted so far. */
    private static final class Delivery {
        final Task task;
        final String leaseOwner;
        final Instant started;
        final Instant deadline;
        final InvocationClock invocation;
        int attemptsMade;
        /** Whether the next call is already counted (the claim counts the delivery's first). */
        boolean counted = true;
        Progress progress;

        Delivery(Task task, String leaseOwner, Instant started, Instant deadline, InvocationClock invocation) {
            this.task = task;
            this.leaseOwner = leaseOwner;
            this.started = started;
            this.deadline = deadline;
            this.invocation = invocation;
            this.attemptsMade = task.attempts();
            this.progress = task.progress();
        }

        TokenLedger spent() {
            return progress == null ? TokenLedger.EMPTY : progress.spent();
        }
    }

    private ProcessResult work(Task task, String leaseOwner, InvocationClock invocation, InFlightMessage message) {
        Instant started = clock.instant();
        if (task.cancelRequested().isPresent()) {
            // Its owner asked to stop it while another worker held it, and that worker died.
            return tasks.cancelIfRequested(task.id(), leaseOwner, started)
                    ? cancelled(task) : ProcessResult.done(Outcome.LEASE_LOST);
        }
        Delivery delivery = new Delivery(task, leaseOwner, started, task.createdAt().plus(options.maxTaskAge()), invocation);
        if (!started.isBefore(delivery.deadline)) {
            return finish(delivery, fail(delivery, TaskError.deadlineExceeded(options.maxTaskAge(), Optional.empty())));
        }
        if (task.attempts() > options.maxAttempts()) {
            return finish(delivery, fail(delivery, TaskError.attemptsExhausted(options.maxAttempts(), Optional.empty())));
        }
        Conversation conversation = new Conversation(task.system() == null ? SYSTEM_PROMPT : task.system(),
                task.history(), task.input());
        RoutingDecision decision = decisionFor(task, conversation);
        long cap = task.maxTotalTokens() != null ? task.maxTotalTokens() : decision.tier().maxTotalTokens();
        Optional<Integer> maxTokens = Optional.ofNullable(task.maxTokens());
        try (LeaseHeartbeat.Lease lease = heartbeat.start(task.id(), leaseOwner, message, callBudgetEnd(task, invocation))) {
            while (true) {
                Permit permit = acquire(decision);
                if (permit instanceof Permit.Held held) {
                    return hold(delivery, held);
                }
                boolean degraded = !permit.key().model().equals(decision.model().id());
                Model model = degraded ? decision.fallback().orElseThrow() : decision.model();
                AttemptPlan plan = planner.planAttempt(conversation, decision, model, maxTokens, delivery.spent(), cap);
                if (!(plan instanceof Ready ready)) {
                    breaker.release(permit);
                    return finish(delivery, fail(delivery, plan instanceof BudgetExceeded exceeded
                            ? TaskError.budgetExceeded(exceeded.spentTokens(), exceeded.maxTotalTokens(), exceeded.tokensNeeded())
                            : TaskError.promptTooLarge(((PromptTooLarge) plan).tokens(), ((PromptTooLarge) plan).limit())));
                }
                if (!delivery.counted) {
                    WriteResult next = write(task.id(), leaseOwner,
                            new StoreWrite.RecordAttempt(options.lease(), delivery.progress), invocation);
                    if (next != WriteResult.WRITTEN) {
                        breaker.release(permit);
                        return notCounted(delivery, next);
                    }
                    delivery.attemptsMade++;
                    delivery.counted = true;
                }
                // The breaker may have opened while the attempt was being counted: then hold (the attempt is given back).
                Optional<Permit.Held> heldSince = breaker.recheck(permit);
                if (heldSince.isPresent()) {
                    breaker.release(permit);
                    return hold(delivery, heldSince.get());
                }
                Duration timeout = callTimeout(task, invocation);
                lease.renewUntil(clock.instant().plus(timeout).plus(SAFETY_MARGIN));
                LlmResponse response;
                Instant callStarted = clock.instant();
                try {
                    response = llm.complete(ready.request(timeout));
                } catch (LlmException e) {
                    countCall(model, callStarted);
                    breaker.onFailure(permit, e);
                    charge(delivery, ready, planner.charge(ready, e), degraded);
                    if (lease.cancelled()) {
                        Thread.interrupted();   // the heartbeat interrupted this thread to stop the call
                        return cancelled(task);
                    }
                    Optional<ProcessResult> next = afterFailure(delivery, e, lease);
                    if (next.isPresent()) {
                        return next.get();
                    }
                    delivery.counted = false;
                    continue;
                } catch (RuntimeException e) {
                    breaker.release(permit);
                    throw e;
                }
                countCall(model, callStarted);
                breaker.onSuccess(permit);
                charge(delivery, ready, planner.charge(ready, response), degraded);
                if (lease.cancelled()) {
                    Thread.interrupted();
                    return cancelled(task);
                }
                LOG.info("task {} answered by {}{} after {} attempt(s)", task.id(), model.id(),
                        degraded ? " (fallback)" : "", delivery.attemptsMade);
                TaskOutcome outcome = new TaskOutcome(response.model() == null ? model.id() : response.model(),
                        response.content(), response.usage(), delivery.spent().costUsd(),
                        Duration.between(started, clock.instant()).toMillis(), delivery.progress);
                return finish(delivery, new StoreWrite.Complete(outcome));
            }
        }
    }

    /** The routing the task got at submit, or a fresh one if it has none or its tier is no longer configured. */
    private RoutingDecision decisionFor(Task task, Conversation conversation) {
        if (task.routing() != null) {
            try {
                return planner.router().decision(planner.router().tier(task.routing().tier()),
                        task.routing().reasonCode(), task.routing().reason());
            } catch (UnknownTierException e) {
                LOG.warn("task {}: tier {} is no longer configured; routing it again", task.id(), task.routing().tier());
            }
        }
        return planner.router().route(conversation, Optional.empty());
    }

    /** A permit for the tier's model, or for its fallback while the primary's breaker holds calls. */
    private Permit acquire(RoutingDecision decision) {
        if (decision.fallback().isEmpty()) {
            return breaker.acquire(llm.provider(), decision.model().id());
        }
        return breaker.acquireFirst(llm.provider(), List.of(decision.model().id(), decision.fallback().get().id()));
    }

    private void charge(Delivery delivery, Ready ready, AttemptCharge charge, boolean degraded) {
        delivery.progress = new Progress(charge.addTo(delivery.spent()), ready.prompt().estimatedInputTokens(),
                ready.prompt().droppedMessages(), degraded);
    }

    /**
     * The model's breaker holds calls: the task goes back to pending, its message returns when the hold ends
     * (plus jitter), and the attempt counted for the call not made is given back. Past the deadline it fails.
     */
    private ProcessResult hold(Delivery delivery, Permit.Held held) {
        Instant now = clock.instant();
        Duration wait = held.delayFrom(now, backoff::draw);
        Waiting.Reason reason = held.reason() == Permit.Reason.RATE_LIMITED
                ? Waiting.Reason.RATE_LIMITED : Waiting.Reason.CIRCUIT_OPEN;
        if (!now.plus(wait).isBefore(delivery.deadline)) {
            return finish(delivery, fail(delivery, TaskError.deadlineExceeded(options.maxTaskAge(),
                    Optional.of(reason.value()))));
        }
        LOG.info("task {}: calls to {} are held ({}) until {}; the task waits {} ms", delivery.task.id(), held.key(),
                reason.value(), held.until(), wait.toMillis());
        StoreWrite.Release release = new StoreWrite.Release(now.plus(wait), delivery.counted,
                new Waiting(reason, held.key().model(), held.until()), delivery.progress);
        return release(delivery, release, wait, reason == Waiting.Reason.RATE_LIMITED ? Why.RATE_LIMITED : Why.CIRCUIT_OPEN);
    }

    /** The next attempt could not be counted: the task was cancelled, its lease lost, or the store is down. */
    private ProcessResult notCounted(Delivery delivery, WriteResult result) {
        if (result == WriteResult.CANCELLED) {
            return cancelled(delivery.task);
        }
        if (result == WriteResult.LEASE_LOST) {
            LOG.warn("task {}: lease lost before retrying; another worker owns it", delivery.task.id());
            return ProcessResult.done(Outcome.LEASE_LOST);
        }
        return release(delivery, new StoreWrite.Release(clock.instant(), false, null, delivery.progress), Duration.ZERO,
                Why.STORE_UNAVAILABLE);
    }

    /**
     * After a failed call: a result for the message, or empty to call again (having waited out the backoff; the
     * next attempt is counted once the breaker lets it through).
     */
    private Optional<ProcessResult> afterFailure(Delivery delivery, LlmException e, LeaseHeartbeat.Lease lease) {
        Task task = delivery.task;
        // The provider's own text (keys redacted by the adapter) is for operators: callers only see the code.
        LOG.warn("task {}: provider call {} failed: {} ({}): {}", task.id(), delivery.attemptsMade, e.code(),
                e.isTransient() ? "transient" : "permanent", e.getMessage());
        if (!e.isTransient()) {
            return Optional.of(finish(delivery, fail(delivery, TaskError.providerRejected(e.code()))));
        }
        Optional<String> lastError = Optional.of(e.code());
        if (delivery.attemptsMade >= options.maxAttempts()) {
            return Optional.of(finish(delivery, fail(delivery, TaskError.attemptsExhausted(delivery.attemptsMade, lastError))));
        }
        Duration wait = backoff.delay(delivery.attemptsMade, e.retryAfter().orElse(Duration.ZERO));
        Instant retryAt = clock.instant().plus(wait);
        if (!retryAt.isBefore(delivery.deadline)) {
            return Optional.of(finish(delivery, fail(delivery, TaskError.deadlineExceeded(options.maxTaskAge(), lastError))));
        }
        metrics.put(Metric.RETRIES, 1, e.code());
        if (delivery.invocation.remaining().compareTo(wait.plus(options.callTimeout()).plus(SAFETY_MARGIN)) < 0) {
            LOG.info("task {}: released after {} attempt(s); retry in {} ms", task.id(), delivery.attemptsMade,
                    wait.toMillis());
            return Optional.of(release(delivery, new StoreWrite.Release(retryAt, false, null, delivery.progress), wait,
                    Why.TRANSIENT_PROVIDER_ERROR));
        }
        lease.renewUntil(retryAt.plus(options.callTimeout()).plus(SAFETY_MARGIN));
        try {
            pause.pause(wait);
        } catch (InterruptedException interrupted) {
            if (lease.cancelled()) {
                return Optional.of(cancelled(task));
            }
            Thread.currentThread().interrupt();
            return Optional.of(release(delivery, new StoreWrite.Release(clock.instant(), false, null, delivery.progress),
                    Duration.ZERO, Why.TRANSIENT_PROVIDER_ERROR));
        }
        if (lease.cancelled()) {
            Thread.interrupted();
            return Optional.of(cancelled(task));
        }
        if (lease.lost()) {
            LOG.warn("task {}: lease lost while waiting to retry; another worker owns it", task.id());
            return Optional.of(ProcessResult.done(Outcome.LEASE_LOST));
        }
        return Optional.empty();
    }

    private ProcessResult release(Delivery delivery, StoreWrite.Release release, Duration wait, Why why) {
        Task task = delivery.task;
        String leaseOwner = delivery.leaseOwner;
        WriteResult result = write(task.id(), leaseOwner, release, delivery.invocation);
        if (result == WriteResult.CANCELLED) {
            return cancelled(task);
        }
        if (result == WriteResult.LEASE_LOST) {
            LOG.warn("task {}: lease lost before release", task.id());
            return ProcessResult.done(Outcome.LEASE_LOST);
        }
        if (result == WriteResult.UNAVAILABLE) {
            unrecorded.remember(task.id(), leaseOwner, release);
            return ProcessResult.retryLater(wait.compareTo(STORE_RETRY_LATER) > 0 ? wait : STORE_RETRY_LATER,
                    Why.STORE_UNAVAILABLE);
        }
        return ProcessResult.retryLater(wait, why);
    }

    /** Records the delivery's final write; when the store keeps failing, remembers it for the message's return. */
    private ProcessResult finish(Delivery delivery, StoreWrite write) {
        Task task = delivery.task;
        String leaseOwner = delivery.leaseOwner;
        WriteResult result = write(task.id(), leaseOwner, write, delivery.invocation);
        if (result == WriteResult.CANCELLED) {
            return cancelled(task);
        }
        if (result == WriteResult.LEASE_LOST) {
            LOG.warn("task {}: lease lost before its outcome was recorded; the outcome is dropped", task.id());
            return ProcessResult.done(Outcome.LEASE_LOST);
        }
        if (result == WriteResult.UNAVAILABLE) {
            LOG.error("task {}: the task store is unavailable; its outcome is kept until the message comes back",
                    task.id());
            unrecorded.remember(task.id(), leaseOwner, write);
            return ProcessResult.retryLater(STORE_RETRY_LATER, Why.STORE_UNAVAILABLE);
        }
        if (write instanceof StoreWrite.Fail failed) {
            LOG.info("task {} failed: {}", task.id(), failed.error().code());
            metrics.put(Metric.TASKS_FAILED, 1, failed.error().code());
            return afterTerminal(callbacks.taskFinished(task), Outcome.FAILED);
        }
        LOG.info("task {} complete", task.id());
        if (write instanceof StoreWrite.Complete complete) {
            countCompleted(Optional.of(task.createdAt()), complete.outcome());
        }
        return afterTerminal(callbacks.taskFinished(task), Outcome.COMPLETED);
    }

    /**
     * The result of a delivery that finished its task: done, unless the task's webhook could not be marked owed;
     * then the message comes back, finds the task finished, and tries the mark again.
     */
    private static ProcessResult afterTerminal(boolean webhookStarted, Outcome outcome) {
        return webhookStarted ? ProcessResult.done(outcome) : ProcessResult.retryLater(STORE_RETRY_LATER, Why.STORE_UNAVAILABLE);
    }

    private void countCall(Model model, Instant callStarted) {
        metrics.line("Model", model.id())
                .put(Metric.PROVIDER_LATENCY, Duration.between(callStarted, clock.instant()).toMillis()).emit();
    }

    /**
     * A completion recorded: the count and its time from submission (when known: not for an answer recorded late,
     * after a store outage), then its tokens and cost by model.
     */
    private void countCompleted(Optional<Instant> createdAt, TaskOutcome outcome) {
        Metrics.Line line = metrics.line().put(Metric.TASKS_COMPLETED, 1);
        createdAt.ifPresent(created -> line.put(Metric.TIME_TO_COMPLETE, Duration.between(created, clock.instant()).toMillis()));
        line.emit();
        metrics.line("Model", outcome.model())
                .put(Metric.INPUT_TOKENS, outcome.usage().inputTokens())
                .put(Metric.OUTPUT_TOKENS, outcome.usage().outputTokens())
                .put(Metric.COST_USD, outcome.costUsd() == null ? 0 : outcome.costUsd().doubleValue()).emit();
    }

    private enum WriteResult { WRITTEN, LEASE_LOST, CANCELLED, UNAVAILABLE }

    /** A fenced write, retried in place on transient store failures while the invocation has time. */
    private WriteResult write(String taskId, String leaseOwner, StoreWrite write, InvocationClock invocation) {
        Duration wait = FIRST_STORE_RETRY;
        while (true) {
            try {
                if (write.apply(tasks, taskId, leaseOwner, clock.instant())) {
                    return WriteResult.WRITTEN;
                }
                // Refused: the lease was lost, or the owner asked to cancel (then this worker records it).
                return tasks.cancelIfRequested(taskId, leaseOwner, clock.instant())
                        ? WriteResult.CANCELLED : WriteResult.LEASE_LOST;
            } catch (DependencyUnavailableException e) {
                if (invocation.remaining().compareTo(SAFETY_MARGIN.plus(wait)) < 0) {
                    LOG.warn("task {}: {} failed and no time is left to retry it: {}", taskId,
                            write.getClass().getSimpleName(), e.toString());
                    return WriteResult.UNAVAILABLE;
                }
                LOG.warn("task {}: {} failed; trying again in {} ms: {}", taskId, write.getClass().getSimpleName(),
                        wait.toMillis(), e.toString());
                try {
                    pause.pause(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return WriteResult.UNAVAILABLE;
                }
                wait = wait.multipliedBy(2).compareTo(MAX_STORE_RETRY) > 0 ? MAX_STORE_RETRY : wait.multipliedBy(2);
            }
        }
    }

    private ProcessResult cancelled(Task task) {
        LOG.info("task {} cancelled by its owner", task.id());
        return afterTerminal(callbacks.taskFinished(task), Outcome.CANCELLED);
    }

    private StoreWrite.Fail fail(Delivery delivery, TaskError error) {
        return new StoreWrite.Fail(error, Duration.between(delivery.started, clock.instant()).toMillis(), delivery.progress);
    }

    /** The first call's budget: its timeout and the margin. */
    private Instant callBudgetEnd(Task task, InvocationClock invocation) {
        return clock.instant().plus(callTimeout(task, invocation)).plus(SAFETY_MARGIN);
    }

    /** {@code LLM_TIMEOUT_MS}, capped by the invocation's remaining time and the task's deadline. */
    private Duration callTimeout(Task task, InvocationClock invocation) {
        Duration timeout = options.callTimeout();
        Duration left = invocation.remaining().minus(SAFETY_MARGIN);
        Duration untilDeadline = Duration.between(clock.instant(), task.createdAt().plus(options.maxTaskAge()));
        for (Duration bound : List.of(left, untilDeadline)) {
            if (bound.compareTo(timeout) < 0) {
                timeout = bound;
            }
        }
        return timeout.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : timeout;
    }

    @Override
    public void close() {
        heartbeat.close();
    }
}
