package dev.agenttasks.domain.process;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.port.TaskRepository.ClaimResult;
import dev.agenttasks.domain.routing.ModelRoute;
import dev.agenttasks.domain.routing.ModelRouter;
import dev.agenttasks.domain.routing.PriceTable;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskOutcome;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

/**
 * Runs one delivery of a task: claim it with a lease, route the model, call the provider with retries,
 * and record exactly one outcome with a lease-fenced write.
 *
 * <p>Retries stay inside the invocation while its remaining time covers the wait, a whole call and a
 * margin; otherwise the lease is released and the message comes back after the backoff delay. Attempts
 * (provider calls) are counted on the task, across deliveries.
 */
public final class TaskProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(TaskProcessor.class);

    public static final String SYSTEM_PROMPT = "You are a helpful assistant. Complete the task concisely.";
    /** The {@link ProcessResult#reason()} of a message naming no stored task (a poison message). */
    public static final String REASON_UNKNOWN_TASK = "unknown task";
    /** The reason of a message that came before its task's retry time: it is handed back, not processed. */
    public static final String REASON_NOT_DUE = "not due yet";
    /** Time kept back at the end of an invocation for the final writes. */
    public static final Duration SAFETY_MARGIN = Duration.ofSeconds(3);

    private final TaskRepository tasks;
    private final LlmClient llm;
    private final ModelRouter router;
    private final PriceTable prices;
    private final Backoff backoff;
    private final Clock clock;
    private final Options options;
    private final ScheduledExecutorService heartbeats = Executors.newScheduledThreadPool(1, runnable -> {
        Thread thread = new Thread(runnable, "lease-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    /** Limits: provider calls per task, the lease, the per-call timeout and the task's maximum age. */
    public record Options(int maxAttempts, Duration lease, Duration callTimeout, Duration maxTaskAge) {
    }

    public TaskProcessor(TaskRepository tasks, LlmClient llm, ModelRouter router, PriceTable prices, Backoff backoff,
                         Clock clock, Options options) {
        this.tasks = tasks;
        this.llm = llm;
        this.router = router;
        this.prices = prices;
        this.backoff = backoff;
        this.clock = clock;
        this.options = options;
    }

    public ProcessResult process(String taskId, InvocationClock invocation) {
        String leaseOwner = UUID.randomUUID().toString();
        Instant started = clock.instant();
        ClaimResult claim = tasks.claim(taskId, leaseOwner, started, options.lease());
        if (claim.notBefore().isPresent()) {
            Duration early = Duration.between(started, claim.notBefore().get());
            LOG.info("task {} is not due for another {} ms (provider's wait hint or backoff); message handed back",
                    taskId, early.toMillis());
            return ProcessResult.redeliverAfter(early.isNegative() ? Duration.ZERO : early, REASON_NOT_DUE);
        }
        if (!claim.claimed()) {
            return refused(taskId, claim.task());
        }
        Task task = claim.task().orElseThrow();
        Instant deadline = task.createdAt().plus(options.maxTaskAge());
        if (!started.isBefore(deadline)) {
            fail(task, leaseOwner, deadlineExceeded(null), started);
            return ProcessResult.done("deadline exceeded");
        }
        if (task.attempts() > options.maxAttempts()) {
            fail(task, leaseOwner, new TaskError("attempts_exhausted",
                    "no attempt left: " + options.maxAttempts() + " provider calls were made"), started);
            return ProcessResult.done("attempts exhausted");
        }
        ModelRoute route = router.route(task.input());
        int maxTokens = task.maxTokens() != null ? task.maxTokens() : route.maxTokens();
        // The claim counted this delivery's first call; each retry counts itself (and renews the lease).
        AtomicInteger calls = new AtomicInteger();
        IntSupplier attemptsMade = () -> task.attempts() - 1 + calls.get();
        AtomicReference<Duration> plannedWait = new AtomicReference<>(Duration.ZERO);
        Retry retry = Retry.of("llm-" + taskId, RetryConfig.<LlmResponse>custom()
                .maxAttempts(options.maxAttempts() - task.attempts() + 1)
                .retryOnException(e -> retryHere(e, attemptsMade.getAsInt(), plannedWait, invocation, deadline))
                .intervalBiFunction((attempt, outcome) -> plannedWait.get().toMillis())
                .build());
        // The heartbeat keeps the lease through calls and backoff waits alike.
        ScheduledFuture<?> heartbeat = startHeartbeat(taskId, leaseOwner);
        try {
            LlmResponse response;
            try {
                response = Retry.decorateSupplier(retry, () -> {
                    if (calls.get() > 0 && !tasks.recordAttempt(taskId, leaseOwner, clock.instant(), options.lease())) {
                        throw new LeaseLostException();
                    }
                    calls.incrementAndGet();
                    return llm.complete(new LlmRequest(route.model(), List.of(ChatMessage.system(SYSTEM_PROMPT),
                            ChatMessage.user(task.input())), maxTokens, callTimeout(task, invocation)));
                }).get();
            } finally {
                heartbeat.cancel(false);
            }
            long duration = Duration.between(started, clock.instant()).toMillis();
            BigDecimal cost = prices.cost(response.model() == null ? route.model() : response.model(), response.usage())
                    .or(() -> prices.cost(route.model(), response.usage())).orElse(null);
            TaskOutcome outcome = new TaskOutcome(response.model() == null ? route.model() : response.model(),
                    response.content(), response.usage(), cost, duration);
            if (!tasks.complete(taskId, leaseOwner, outcome, clock.instant())) {
                LOG.warn("task {} completed by the provider but the lease was lost; the result is dropped", taskId);
                return ProcessResult.done("lease lost");
            }
            LOG.info("task {} complete on {} after {} attempt(s) in {} ms", taskId, outcome.model(), attemptsMade.getAsInt(), duration);
            return ProcessResult.done("complete");
        } catch (LeaseLostException e) {
            LOG.warn("task {} lease lost during retries; another worker owns it", taskId);
            return ProcessResult.done("lease lost");
        } catch (LlmException e) {
            return afterFailure(task, leaseOwner, e, attemptsMade.getAsInt(), plannedWait.get(), started, deadline);
        }
    }

    private TaskError deadlineExceeded(LlmException last) {
        return new TaskError("deadline_exceeded", "the task did not finish within " + options.maxTaskAge().toSeconds()
                + " s of its submission" + (last == null ? "" : "; last error: " + reason(last)));
    }

    private static String reason(LlmException e) {
        return e.getMessage() == null ? e.code() : e.getMessage();
    }

    /**
     * Renews the lease every third of its length while the worker calls the provider or waits to retry,
     * so a live task is never taken over; a dead worker stops renewing and its lease runs out.
     */
    private ScheduledFuture<?> startHeartbeat(String taskId, String leaseOwner) {
        long period = Math.max(1_000, options.lease().toMillis() / 3);
        return heartbeats.scheduleAtFixedRate(() -> {
            try {
                if (!tasks.renewLease(taskId, leaseOwner, clock.instant(), options.lease())) {
                    LOG.warn("task {} lease lost while calling the provider; its result will be dropped", taskId);
                }
            } catch (RuntimeException e) {
                LOG.warn("task {} lease renewal failed: {}", taskId, e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Decides whether to retry inside this invocation; plans the wait either way. Never waits past the
     * task's deadline: the retry would only be refused there.
     */
    private boolean retryHere(Throwable error, int attemptsMade, AtomicReference<Duration> plannedWait,
                              InvocationClock invocation, Instant deadline) {
        if (!(error instanceof LlmException e) || !e.isTransient()) {
            return false;
        }
        Duration wait = backoff.delay(attemptsMade, e.retryAfter().orElse(Duration.ZERO));
        plannedWait.set(wait);
        if (attemptsMade >= options.maxAttempts() || !clock.instant().plus(wait).isBefore(deadline)) {
            return false;
        }
        Duration needed = wait.plus(options.callTimeout()).plus(SAFETY_MARGIN);
        return invocation.remaining().compareTo(needed) >= 0;
    }

    private ProcessResult afterFailure(Task task, String leaseOwner, LlmException e, int attemptsMade, Duration wait,
                                       Instant started, Instant deadline) {
        if (!e.isTransient()) {
            fail(task, leaseOwner, new TaskError("provider_" + e.code(), reason(e)), started);
            return ProcessResult.done("permanent provider error");
        }
        if (attemptsMade >= options.maxAttempts()) {
            fail(task, leaseOwner, new TaskError("attempts_exhausted", "failed after " + attemptsMade
                    + " attempts; last error: " + reason(e)), started);
            return ProcessResult.done("attempts exhausted");
        }
        Instant retryAt = clock.instant().plus(wait);
        if (!retryAt.isBefore(deadline)) {
            fail(task, leaseOwner, deadlineExceeded(e), started);
            return ProcessResult.done("deadline exceeded");
        }
        if (!tasks.release(task.id(), leaseOwner, clock.instant(), retryAt)) {
            LOG.warn("task {} lease lost before release", task.id());
            return ProcessResult.done("lease lost");
        }
        LOG.info("task {} released after transient error {} ({} attempt(s)); retry in {} ms",
                task.id(), e.code(), attemptsMade, wait.toMillis());
        return ProcessResult.redeliverAfter(wait, "transient provider error");
    }

    private void fail(Task task, String leaseOwner, TaskError error, Instant started) {
        long duration = Duration.between(started, clock.instant()).toMillis();
        if (tasks.fail(task.id(), leaseOwner, error, duration, clock.instant())) {
            LOG.info("task {} failed: {}", task.id(), error.code());
        } else {
            LOG.warn("task {} could not be marked failed: the lease was lost", task.id());
        }
    }

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

    private ProcessResult refused(String taskId, Optional<Task> current) {
        if (current.isEmpty()) {
            LOG.error("message for unknown task {}: acknowledged and dropped", taskId);
            return ProcessResult.done(REASON_UNKNOWN_TASK);
        }
        Task task = current.get();
        LOG.info("task {} not claimed: it is {}{}", taskId, task.status().value(),
                task.status().isTerminal() ? "" : " with a live lease");
        return ProcessResult.done("already " + task.status().value());
    }

    private static final class LeaseLostException extends RuntimeException {
        LeaseLostException() {
            super("lease lost", null, false, false);
        }
    }
}
