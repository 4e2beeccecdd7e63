package dev.agenttasks.domain.process;

import java.math.BigDecimal;
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
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.port.InFlightMessage;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.process.ProcessResult.Outcome;
import dev.agenttasks.domain.process.ProcessResult.Why;
import dev.agenttasks.domain.process.UnrecordedWrites.Unrecorded;
import dev.agenttasks.domain.routing.ModelRoute;
import dev.agenttasks.domain.routing.ModelRouter;
import dev.agenttasks.domain.routing.PriceTable;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskOutcome;
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
    private final ModelRouter router;
    private final PriceTable prices;
    private final Backoff backoff;
    private final Clock clock;
    private final Options options;
    private final Pause pause;
    private final LeaseHeartbeat heartbeat;
    private final UnrecordedWrites unrecorded;
    private final SharedCircuitBreaker breaker;

    public TaskProcessor(TaskRepository tasks, LlmClient llm, SharedCircuitBreaker breaker, ModelRouter router,
                         PriceTable prices, Backoff backoff, Clock clock, Options options) {
        this(tasks, llm, breaker, router, prices, backoff, clock, options, Pause.sleeping());
    }

    public TaskProcessor(TaskRepository tasks, LlmClient llm, SharedCircuitBreaker breaker, ModelRouter router,
                         PriceTable prices, Backoff backoff, Clock clock, Options options, Pause pause) {
        this.tasks = tasks;
        this.breaker = breaker;
        this.llm = llm;
        this.router = router;
        this.prices = prices;
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
            return ProcessResult.done(Outcome.ALREADY_FINISHED);
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
        if (result == WriteResult.WRITTEN && write.write() instanceof StoreWrite.Complete) {
            LOG.info("task {} complete: its answer, unrecorded earlier, is now stored", taskId);
            return Optional.of(ProcessResult.done(Outcome.COMPLETED));
        }
        if (result == WriteResult.WRITTEN && write.write() instanceof StoreWrite.Fail) {
            return Optional.of(ProcessResult.done(Outcome.FAILED));
        }
        // A release now made, or a lease lost meanwhile: the claim below sees the task as it is.
        return Optional.empty();
    }

    private ProcessResult work(Task task, String leaseOwner, InvocationClock invocation, InFlightMessage message) {
        Instant started = clock.instant();
        if (task.cancelRequested().isPresent()) {
            // Its owner asked to stop it while another worker held it, and that worker died.
            return tasks.cancelIfRequested(task.id(), leaseOwner, started)
                    ? cancelled(task) : ProcessResult.done(Outcome.LEASE_LOST);
        }
        Instant deadline = task.createdAt().plus(options.maxTaskAge());
        if (!started.isBefore(deadline)) {
            return finish(task, leaseOwner, fail(TaskError.deadlineExceeded(options.maxTaskAge(), Optional.empty()),
                    started), invocation);
        }
        if (task.attempts() > options.maxAttempts()) {
            return finish(task, leaseOwner, fail(TaskError.attemptsExhausted(options.maxAttempts(), Optional.empty()),
                    started), invocation);
        }
        ModelRoute route = router.route(task.input());
        int maxTokens = task.maxTokens() != null ? task.maxTokens() : route.maxTokens();
        int attemptsMade = task.attempts();   // the claim counted this delivery's first call
        boolean counted = true;               // whether the next call is already counted
        try (LeaseHeartbeat.Lease lease = heartbeat.start(task.id(), leaseOwner, message, callBudgetEnd(task, invocation))) {
            while (true) {
                Permit permit = breaker.acquire(llm.provider(), route.model());
                if (permit instanceof Permit.Held held) {
                    return hold(task, leaseOwner, held, counted, started, deadline, invocation);
                }
                if (!counted) {
                    WriteResult next = write(task.id(), leaseOwner, new StoreWrite.RecordAttempt(options.lease()), invocation);
                    if (next != WriteResult.WRITTEN) {
                        breaker.release(permit);
                        return notCounted(task, leaseOwner, next, invocation);
                    }
                    attemptsMade++;
                    counted = true;
                }
                Duration timeout = callTimeout(task, invocation);
                lease.renewUntil(clock.instant().plus(timeout).plus(SAFETY_MARGIN));
                LlmResponse response;
                try {
                    response = llm.complete(new LlmRequest(route.model(), List.of(ChatMessage.system(SYSTEM_PROMPT),
                            ChatMessage.user(task.input())), maxTokens, timeout));
                } catch (LlmException e) {
                    breaker.onFailure(permit, e);
                    if (lease.cancelled()) {
                        Thread.interrupted();   // the heartbeat interrupted this thread to stop the call
                        return cancelled(task);
                    }
                    Optional<ProcessResult> next = afterFailure(task, leaseOwner, e, attemptsMade, started, deadline,
                            invocation, lease);
                    if (next.isPresent()) {
                        return next.get();
                    }
                    counted = false;
                    continue;
                } catch (RuntimeException e) {
                    breaker.release(permit);
                    throw e;
                }
                breaker.onSuccess(permit);
                if (lease.cancelled()) {
                    Thread.interrupted();
                    return cancelled(task);
                }
                LOG.info("task {} answered by {} after {} attempt(s)", task.id(), route.model(), attemptsMade);
                return finish(task, leaseOwner, new StoreWrite.Complete(outcome(route, response, started)), invocation);
            }
        }
    }

    /**
     * The model's breaker holds calls: the task goes back to pending, its message returns when the hold ends
     * (plus jitter), and the attempt counted for the call not made is given back. Past the deadline it fails.
     */
    private ProcessResult hold(Task task, String leaseOwner, Permit.Held held, boolean counted, Instant started,
                               Instant deadline, InvocationClock invocation) {
        Instant now = clock.instant();
        Duration wait = held.delayFrom(now, backoff::draw);
        Waiting.Reason reason = held.reason() == Permit.Reason.RATE_LIMITED
                ? Waiting.Reason.RATE_LIMITED : Waiting.Reason.CIRCUIT_OPEN;
        if (!now.plus(wait).isBefore(deadline)) {
            return finish(task, leaseOwner, fail(TaskError.deadlineExceeded(options.maxTaskAge(),
                    Optional.of(reason.value())), started), invocation);
        }
        LOG.info("task {}: calls to {} are held ({}) until {}; the task waits {} ms", task.id(), held.key(),
                reason.value(), held.until(), wait.toMillis());
        StoreWrite.Release release = new StoreWrite.Release(now.plus(wait), counted,
                new Waiting(reason, held.key().model(), held.until()));
        return release(task, leaseOwner, release, wait,
                reason == Waiting.Reason.RATE_LIMITED ? Why.RATE_LIMITED : Why.CIRCUIT_OPEN, invocation);
    }

    /** The next attempt could not be counted: the task was cancelled, its lease lost, or the store is down. */
    private ProcessResult notCounted(Task task, String leaseOwner, WriteResult result, InvocationClock invocation) {
        if (result == WriteResult.CANCELLED) {
            return cancelled(task);
        }
        if (result == WriteResult.LEASE_LOST) {
            LOG.warn("task {}: lease lost before retrying; another worker owns it", task.id());
            return ProcessResult.done(Outcome.LEASE_LOST);
        }
        return release(task, leaseOwner, new StoreWrite.Release(clock.instant(), false, null), Duration.ZERO,
                Why.STORE_UNAVAILABLE, invocation);
    }

    /**
     * After a failed call: a result for the message, or empty to call again (having waited out the backoff; the
     * next attempt is counted once the breaker lets it through).
     */
    private Optional<ProcessResult> afterFailure(Task task, String leaseOwner, LlmException e, int attemptsMade,
                                                 Instant started, Instant deadline, InvocationClock invocation,
                                                 LeaseHeartbeat.Lease lease) {
        LOG.warn("task {}: provider call {} failed: {} ({})", task.id(), attemptsMade, e.code(),
                e.isTransient() ? "transient" : "permanent");
        LOG.debug("task {}: provider detail: {}", task.id(), e.getMessage());
        if (!e.isTransient()) {
            return Optional.of(finish(task, leaseOwner, fail(TaskError.providerRejected(e.code()), started), invocation));
        }
        Optional<String> lastError = Optional.of(e.code());
        if (attemptsMade >= options.maxAttempts()) {
            return Optional.of(finish(task, leaseOwner,
                    fail(TaskError.attemptsExhausted(attemptsMade, lastError), started), invocation));
        }
        Duration wait = backoff.delay(attemptsMade, e.retryAfter().orElse(Duration.ZERO));
        Instant retryAt = clock.instant().plus(wait);
        if (!retryAt.isBefore(deadline)) {
            return Optional.of(finish(task, leaseOwner,
                    fail(TaskError.deadlineExceeded(options.maxTaskAge(), lastError), started), invocation));
        }
        if (invocation.remaining().compareTo(wait.plus(options.callTimeout()).plus(SAFETY_MARGIN)) < 0) {
            LOG.info("task {}: released after {} attempt(s); retry in {} ms", task.id(), attemptsMade, wait.toMillis());
            return Optional.of(release(task, leaseOwner, new StoreWrite.Release(retryAt, false, null), wait,
                    Why.TRANSIENT_PROVIDER_ERROR, invocation));
        }
        lease.renewUntil(retryAt.plus(options.callTimeout()).plus(SAFETY_MARGIN));
        try {
            pause.pause(wait);
        } catch (InterruptedException interrupted) {
            if (lease.cancelled()) {
                return Optional.of(cancelled(task));
            }
            Thread.currentThread().interrupt();
            return Optional.of(release(task, leaseOwner, new StoreWrite.Release(clock.instant(), false, null),
                    Duration.ZERO, Why.TRANSIENT_PROVIDER_ERROR, invocation));
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

    private ProcessResult release(Task task, String leaseOwner, StoreWrite.Release release, Duration wait, Why why,
                                  InvocationClock invocation) {
        WriteResult result = write(task.id(), leaseOwner, release, invocation);
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
    private ProcessResult finish(Task task, String leaseOwner, StoreWrite write, InvocationClock invocation) {
        WriteResult result = write(task.id(), leaseOwner, write, invocation);
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
            return ProcessResult.done(Outcome.FAILED);
        }
        LOG.info("task {} complete", task.id());
        return ProcessResult.done(Outcome.COMPLETED);
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
        return ProcessResult.done(Outcome.CANCELLED);
    }

    private StoreWrite.Fail fail(TaskError error, Instant started) {
        return new StoreWrite.Fail(error, Duration.between(started, clock.instant()).toMillis());
    }

    private TaskOutcome outcome(ModelRoute route, LlmResponse response, Instant started) {
        String model = response.model() == null ? route.model() : response.model();
        BigDecimal cost = prices.cost(model, response.usage())
                .or(() -> prices.cost(route.model(), response.usage())).orElse(null);
        return new TaskOutcome(model, response.content(), response.usage(), cost,
                Duration.between(started, clock.instant()).toMillis());
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
