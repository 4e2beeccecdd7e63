package dev.agenttasks.domain.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.breaker.BreakerConfig;
import dev.agenttasks.domain.breaker.BreakerListener;
import dev.agenttasks.domain.breaker.SharedCircuitBreaker;
import dev.agenttasks.domain.fakes.FaultyTaskStore;
import dev.agenttasks.domain.fakes.InMemoryCircuitBreakerStore;
import dev.agenttasks.domain.fakes.FaultyTaskStore.Operation;
import dev.agenttasks.domain.fakes.InMemoryTaskStore;
import dev.agenttasks.domain.fakes.MutableClock;
import dev.agenttasks.domain.fakes.ScriptedLlmClient;
import dev.agenttasks.domain.callback.CallbackNotifier;
import dev.agenttasks.domain.fakes.InMemoryTaskQueue;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.process.ProcessResult.Done;
import dev.agenttasks.domain.process.ProcessResult.Outcome;
import dev.agenttasks.domain.process.ProcessResult.RetryLater;
import dev.agenttasks.domain.process.ProcessResult.Why;
import dev.agenttasks.domain.routing.RequestPlanner;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskStatus;

/** The worker's logic on in-memory ports and a clock the test moves: no servers, no waiting. */
class TaskProcessorTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    /** The built-in routing: "What is 2 + 2?" is a simple task, for the small model. */
    private static final RequestPlanner PLANNER = RequestPlanner.ofDefaults();
    private static final String SMALL_MODEL = "llama-3.1-8b-instant";
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MAX_AGE = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryTaskStore store = new InMemoryTaskStore();
    private final FaultyTaskStore faulty = new FaultyTaskStore(store);
    private final List<Duration> pauses = new ArrayList<>();
    private final List<String> metricLines = new ArrayList<>();
    private final InMemoryTaskQueue webhooks = new InMemoryTaskQueue();
    private final List<TaskProcessor> processors = new ArrayList<>();
    private final InMemoryCircuitBreakerStore breakers = new InMemoryCircuitBreakerStore();
    /** Shared by every processor of a test: the fleet's breakers (each container has its own cache). */
    private SharedCircuitBreaker breaker() {
        return SharedCircuitBreaker.of(breakers, BreakerConfig.ofDefaults(), clock, BreakerListener.NONE);
    }

    /** An invocation of {@code length} on the test's clock (time passes only when the test moves it). */
    private InvocationClock invocation(Duration length) {
        Instant ends = clock.instant().plus(length);
        return () -> Duration.between(clock.instant(), ends);
    }

    /** Enough for retries inside the invocation. */
    private InvocationClock longInvocation() {
        return invocation(Duration.ofMinutes(15));
    }

    /** Too short to wait for a retry here: the task is released instead. */
    private InvocationClock shortInvocation() {
        return invocation(Duration.ofSeconds(20));
    }

    @AfterEach
    void closeProcessors() {
        processors.forEach(TaskProcessor::close);
    }

    private TaskProcessor processor(LlmClient llm) {
        return processor(llm, 5);
    }

    private TaskProcessor processor(LlmClient llm, int maxAttempts) {
        return processor(llm, maxAttempts, PLANNER);
    }

    private TaskProcessor processor(LlmClient llm, int maxAttempts, RequestPlanner planner) {
        // Full jitter drawn at 0.5: the waits are half the ceiling, so tests can predict them.
        TaskProcessor processor = new TaskProcessor(faulty, llm, breaker(), planner,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5), clock,
                new TaskProcessor.Options(maxAttempts, LEASE, CALL_TIMEOUT, MAX_AGE),
                new Metrics("worker", metricLines::add, clock),
                new CallbackNotifier(faulty, Optional.of(webhooks), clock),
                wait -> {
                    pauses.add(wait);
                    clock.advance(wait);
                });
        processors.add(processor);
        return processor;
    }

    private Task stored() {
        return storedAt(clock.instant());
    }

    private Task storedAt(Instant createdAt) {
        Task task = Task.pending(TaskIds.newId(), "iam:alice", "What is 2 + 2?", null, createdAt,
                createdAt.plus(Duration.ofDays(7)));
        assertThat(store.createIfAbsent(task)).isEmpty();
        return task;
    }

    private Task current(Task task) {
        return store.find(task.id()).orElseThrow();
    }

    @Test
    void twoTransientErrorsThenSuccessCompleteAfterExactlyThreeCalls() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailTransiently("http_503").thenFailTransiently("http_503")
                .thenAnswer("4");
        Task task = stored();

        ProcessResult result = processor(llm).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new Done(Outcome.COMPLETED));
        assertThat(llm.calls()).isEqualTo(3);
        assertThat(pauses).as("full jitter at 0.5 of 1 s, then of 2 s").containsExactly(
                Duration.ofMillis(500), Duration.ofMillis(1_000));
        Task done = current(task);
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(done.attempts()).isEqualTo(3);
        assertThat(done.result()).isEqualTo("4");
        assertThat(done.model()).isEqualTo(SMALL_MODEL);
        assertThat(done.leaseOwner()).isNull();
        assertThat(done.durationMs()).isEqualTo(1_500);
    }

    @Test
    void eachCallEachRetryAndTheCompletionAreCountedInMetrics() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailTransiently("http_503").thenAnswer("4");
        Task task = stored();
        clock.advance(Duration.ofSeconds(2));

        processor(llm).process(task.id(), longInvocation());

        assertThat(metricLines).filteredOn(line -> line.contains("\"ProviderLatency\"")).hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("\"Model\":\"" + SMALL_MODEL + "\""));
        assertThat(metricLines).filteredOn(line -> line.contains("\"Retries\":1")).singleElement()
                .satisfies(line -> assertThat(line).contains("\"ErrorClass\":\"http_503\""));
        assertThat(metricLines).filteredOn(line -> line.contains("\"TasksCompleted\":1")).singleElement()
                .satisfies(line -> assertThat(line).contains("\"TimeToComplete\":2500"));
        assertThat(metricLines).filteredOn(line -> line.contains("\"InputTokens\"")).singleElement()
                .satisfies(line -> assertThat(line).contains("\"OutputTokens\"", "\"CostUsd\"",
                        "\"Model\":\"" + SMALL_MODEL + "\""));
        assertThat(metricLines).noneMatch(line -> line.contains("TasksFailed"));
    }

    @Test
    void aFailureIsCountedByItsReasonAndAPermanentErrorIsNotARetry() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailPermanently("http_400", "bad request");
        Task task = stored();

        processor(llm).process(task.id(), longInvocation());

        assertThat(metricLines).filteredOn(line -> line.contains("\"TasksFailed\":1")).singleElement()
                .satisfies(line -> assertThat(line).contains("\"Reason\":\"provider_http_400\""));
        assertThat(metricLines).noneMatch(line -> line.contains("Retries") || line.contains("TasksCompleted"));
    }

    @Test
    void theProvidersWaitHintIsHonouredBeforeTheNextCall() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailTransiently("http_429", Duration.ofSeconds(3))
                .thenAnswer("4");
        Task task = stored();

        processor(llm).process(task.id(), longInvocation());

        assertThat(pauses).containsExactly(Duration.ofSeconds(3));
        assertThat(current(task).status()).isEqualTo(TaskStatus.COMPLETE);
    }

    @Test
    void aPermanentErrorFailsTheTaskAfterOneCallWithASafeMessage() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailPermanently("http_413",
                "Request too large for model in organization org_01hq7 service tier on_demand on tokens per minute");
        Task task = stored();

        ProcessResult result = processor(llm).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new Done(Outcome.FAILED));
        assertThat(llm.calls()).isEqualTo(1);
        Task failed = current(task);
        assertThat(failed.error().code()).isEqualTo("provider_http_413");
        assertThat(failed.error().message()).isEqualTo("the model provider rejected the request (HTTP 413)");
        assertThat(failed.attempts()).isEqualTo(1);
    }

    @Test
    void whenAttemptsRunOutTheErrorNamesTheLastCodeButNoProviderText() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailTransiently("http_503");
        Task task = stored();

        ProcessResult result = processor(llm, 3).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new Done(Outcome.FAILED));
        assertThat(llm.calls()).isEqualTo(3);
        Task failed = current(task);
        assertThat(failed.error().code()).isEqualTo("attempts_exhausted");
        assertThat(failed.error().message()).isEqualTo("the model provider did not answer after 3 attempts; last error: HTTP 503");
        assertThat(failed.attempts()).isEqualTo(3);
    }

    @Test
    void noRetryWaitsPastTheTasksDeadline() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailTransiently("http_503", Duration.ofSeconds(5))
                .thenAnswer("4");
        Task task = storedAt(T0.minus(MAX_AGE).plusSeconds(3));

        ProcessResult result = processor(llm).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new Done(Outcome.FAILED));
        assertThat(llm.calls()).isEqualTo(1);
        assertThat(current(task).error().code()).isEqualTo("deadline_exceeded");
        assertThat(current(task).error().message()).endsWith("; last error: HTTP 503");
    }

    @Test
    void aTaskClaimedPastItsDeadlineFailsWithoutACall() {
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");
        Task task = storedAt(T0.minus(MAX_AGE));

        assertThat(processor(llm).process(task.id(), longInvocation())).isEqualTo(new Done(Outcome.FAILED));

        assertThat(llm.calls()).isZero();
        assertThat(current(task).error().code()).isEqualTo("deadline_exceeded");
    }

    @Test
    void withTooLittleTimeLeftTheTaskIsReleasedAndAnEarlyCopyOfItsMessageCallsNobody() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailTransiently("http_429", Duration.ofSeconds(3))
                .thenAnswer("4");
        Task task = stored();
        TaskProcessor processor = processor(llm);

        ProcessResult result = processor.process(task.id(), shortInvocation());

        assertThat(result).isEqualTo(new RetryLater(Duration.ofSeconds(3), Why.TRANSIENT_PROVIDER_ERROR));
        assertThat(current(task).status()).isEqualTo(TaskStatus.PENDING);
        assertThat(current(task).leaseOwner()).isNull();

        clock.advance(Duration.ofSeconds(1));
        assertThat(processor.process(task.id(), shortInvocation()))
                .isEqualTo(new RetryLater(Duration.ofSeconds(2), Why.NOT_DUE));
        assertThat(llm.calls()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        assertThat(processor.process(task.id(), shortInvocation())).isEqualTo(new Done(Outcome.COMPLETED));
        assertThat(current(task).attempts()).isEqualTo(2);
    }

    @Test
    void attemptsAreCountedAcrossDeliveriesUntilTheyRunOut() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailTransiently("http_503");
        Task task = stored();
        TaskProcessor processor = processor(llm, 3);

        List<ProcessResult> results = new ArrayList<>();
        for (int delivery = 0; delivery < 3; delivery++) {
            ProcessResult result = processor.process(task.id(), shortInvocation());
            results.add(result);
            if (result instanceof RetryLater later) {
                clock.advance(later.delay());
            }
        }

        assertThat(results.get(0)).isInstanceOf(RetryLater.class);
        assertThat(results.get(1)).isInstanceOf(RetryLater.class);
        assertThat(results.get(2)).isEqualTo(new Done(Outcome.FAILED));
        assertThat(llm.calls()).isEqualTo(3);
        assertThat(current(task).error().code()).isEqualTo("attempts_exhausted");
        assertThat(processor.process(task.id(), shortInvocation())).isEqualTo(new Done(Outcome.ALREADY_FINISHED));
        assertThat(llm.calls()).isEqualTo(3);
    }

    @Test
    void claimsByWorkersThatDiedCountAsAttempts() {
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");
        Task task = stored();
        assertThat(store.claim(task.id(), "died-1", T0, LEASE)).isInstanceOf(Claim.Claimed.class);
        assertThat(store.claim(task.id(), "died-2", T0.plus(LEASE).plusSeconds(1), LEASE)).isInstanceOf(Claim.Claimed.class);
        clock.set(T0.plus(LEASE.multipliedBy(2)).plusSeconds(2));

        ProcessResult result = processor(llm, 2).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new Done(Outcome.FAILED));
        assertThat(llm.calls()).isZero();
        assertThat(current(task).error().code()).isEqualTo("attempts_exhausted");
    }

    @Test
    void aZombieWhoseLeaseExpiredCannotComplete() {
        Task task = stored();
        // While the first worker waits on the provider, its lease expires and a second worker takes over.
        ScriptedLlmClient llm = new ScriptedLlmClient().then(request -> {
            clock.advance(LEASE.plusSeconds(1));
            assertThat(store.claim(task.id(), "second-worker", clock.instant(), LEASE)).isInstanceOf(Claim.Claimed.class);
            return ScriptedLlmClient.answering("stale").complete(request);
        });

        ProcessResult result = processor(llm).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new Done(Outcome.LEASE_LOST));
        Task current = current(task);
        assertThat(current.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(current.leaseOwner()).isEqualTo("second-worker");
        assertThat(current.result()).isNull();
    }

    @Test
    void aDuplicateDeliveryOfACompleteTaskCallsNobody() {
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");
        Task task = stored();
        TaskProcessor processor = processor(llm);
        processor.process(task.id(), longInvocation());
        Task done = current(task);

        assertThat(processor.process(task.id(), longInvocation())).isEqualTo(new Done(Outcome.ALREADY_FINISHED));

        assertThat(llm.calls()).isEqualTo(1);
        assertThat(current(task)).isEqualTo(done);
    }

    @Test
    void aMessageForALiveLeasedTaskComesBackWhenTheLeaseEnds() {
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");
        Task task = stored();
        store.claim(task.id(), "busy-worker", T0, LEASE);
        clock.advance(Duration.ofSeconds(20));

        ProcessResult result = processor(llm).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new RetryLater(Duration.ofSeconds(41), Why.LEASED_ELSEWHERE));
        assertThat(llm.calls()).isZero();
        assertThat(current(task).leaseOwner()).isEqualTo("busy-worker");
    }

    @Test
    void aMessageForAnUnknownTaskIsAcknowledgedAsPoison() {
        assertThat(processor(ScriptedLlmClient.answering("4")).process(TaskIds.newId(), longInvocation()))
                .isEqualTo(new Done(Outcome.UNKNOWN_TASK));
    }

    @Test
    void theMessageIsHiddenForTheLeaseWhenTheTaskIsClaimed() {
        List<Duration> hidden = new ArrayList<>();
        Task task = stored();

        processor(ScriptedLlmClient.answering("4")).process(task.id(), longInvocation(), timeout -> hidden.add(timeout));

        assertThat(hidden).as("even a task done before its first renewal: a crash before it comes back at lease end")
                .containsExactly(LEASE.plus(LeaseHeartbeat.VISIBILITY_MARGIN));
    }

    @Test
    void aStorageBlipOnTheFinalWriteIsRetriedInPlace() {
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");
        Task task = stored();
        faulty.failNext(Operation.COMPLETE, 2);

        ProcessResult result = processor(llm).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new Done(Outcome.COMPLETED));
        assertThat(faulty.failures(Operation.COMPLETE)).isEqualTo(2);
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(llm.calls()).isEqualTo(1);
        assertThat(current(task).result()).isEqualTo("4");
    }

    @Test
    void aPaidAnswerTheStoreCouldNotTakeIsRecordedWhenTheMessageComesBackWithoutAnotherCall() {
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");
        Task task = stored();
        faulty.failNext(Operation.COMPLETE, Integer.MAX_VALUE);
        TaskProcessor processor = processor(llm);

        ProcessResult first = processor.process(task.id(), shortInvocation());

        assertThat(first).isEqualTo(new RetryLater(TaskProcessor.STORE_RETRY_LATER, Why.STORE_UNAVAILABLE));
        assertThat(current(task).status()).isEqualTo(TaskStatus.RUNNING);

        faulty.heal();
        clock.advance(TaskProcessor.STORE_RETRY_LATER);
        ProcessResult second = processor.process(task.id(), shortInvocation());

        assertThat(second).isEqualTo(new Done(Outcome.COMPLETED));
        assertThat(llm.calls()).isEqualTo(1);
        assertThat(current(task).status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(current(task).result()).isEqualTo("4");
        assertThat(current(task).attempts()).isEqualTo(1);
    }

    @Test
    void inAnotherContainerTheMessageWaitsForTheLeaseToEndThenTakesOver() {
        Task task = stored();
        faulty.failNext(Operation.COMPLETE, Integer.MAX_VALUE);
        processor(ScriptedLlmClient.answering("lost")).process(task.id(), shortInvocation());
        faulty.heal();
        ScriptedLlmClient elsewhere = ScriptedLlmClient.answering("4");
        TaskProcessor otherContainer = processor(elsewhere);

        clock.advance(TaskProcessor.STORE_RETRY_LATER);
        ProcessResult early = otherContainer.process(task.id(), shortInvocation());
        assertThat(early).isInstanceOfSatisfying(RetryLater.class, later -> assertThat(later.why()).isEqualTo(Why.LEASED_ELSEWHERE));
        clock.advance(((RetryLater) early).delay());
        ProcessResult takeover = otherContainer.process(task.id(), shortInvocation());

        assertThat(takeover).isEqualTo(new Done(Outcome.COMPLETED));
        assertThat(current(task).result()).isEqualTo("4");
        assertThat(current(task).attempts()).isEqualTo(2);
    }

    @Test
    void aReleaseTheStoreCouldNotTakeIsMadeWhenTheMessageComesBack() {
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailTransiently("http_503", Duration.ofSeconds(10))
                .thenAnswer("4");
        Task task = stored();
        faulty.failNext(Operation.RELEASE, Integer.MAX_VALUE);
        TaskProcessor processor = processor(llm);

        ProcessResult first = processor.process(task.id(), shortInvocation());
        assertThat(first).isEqualTo(new RetryLater(Duration.ofSeconds(10), Why.STORE_UNAVAILABLE));

        faulty.heal();
        clock.advance(Duration.ofSeconds(10));
        ProcessResult second = processor.process(task.id(), shortInvocation());

        assertThat(second).isEqualTo(new Done(Outcome.COMPLETED));
        assertThat(llm.calls()).isEqualTo(2);
        assertThat(current(task).attempts()).isEqualTo(2);
    }

    @Test
    void aCancelRequestedDuringTheCallIsRecordedAtTheNextWriteWithoutAnotherCall() {
        Task task = stored();
        ScriptedLlmClient llm = new ScriptedLlmClient().then(request -> {
            store.requestCancel(task.id(), "iam:alice", clock.instant());
            throw new dev.agenttasks.domain.port.LlmException(dev.agenttasks.domain.port.LlmException.Kind.TRANSIENT,
                    "http_503", "unavailable", 503, null, null);
        }).thenAnswer("never asked");

        ProcessResult result = processor(llm).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new Done(Outcome.CANCELLED));
        assertThat(llm.calls()).isEqualTo(1);
        assertThat(current(task).status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(current(task).result()).isNull();
    }

    @Test
    void anAnswerThatArrivesAfterACancelIsNotRecorded() {
        Task task = stored();
        ScriptedLlmClient llm = new ScriptedLlmClient().then(request -> {
            store.requestCancel(task.id(), "iam:alice", clock.instant());
            return ScriptedLlmClient.answering("too late").complete(request);
        });

        assertThat(processor(llm).process(task.id(), longInvocation())).isEqualTo(new Done(Outcome.CANCELLED));
        assertThat(current(task).status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(current(task).result()).isNull();
    }

    @Test
    void aTaskTakenOverAfterACancelRequestIsCancelledWithoutACall() {
        Task task = stored();
        store.claim(task.id(), "died", T0, LEASE);
        store.requestCancel(task.id(), "iam:alice", T0.plusSeconds(1));
        clock.advance(LEASE.plusSeconds(1));
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");

        assertThat(processor(llm).process(task.id(), longInvocation())).isEqualTo(new Done(Outcome.CANCELLED));
        assertThat(llm.calls()).isZero();
        assertThat(current(task).status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void aModelWhoseBreakerIsOpenIsNotCalledAndItsTaskWaitsWithoutBeingCharged() {
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");
        breaker().forceOpen("scripted", SMALL_MODEL, Duration.ofSeconds(30));
        Task task = stored();

        ProcessResult result = processor(llm).process(task.id(), longInvocation());

        assertThat(result).isInstanceOfSatisfying(RetryLater.class, later -> {
            assertThat(later.why()).isEqualTo(Why.CIRCUIT_OPEN);
            assertThat(later.delay()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(36));
        });
        assertThat(llm.calls()).isZero();
        Task waiting = current(task);
        assertThat(waiting.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(waiting.attempts()).as("the claim's attempt is given back").isZero();
        assertThat(waiting.waitingFor()).hasValueSatisfying(w -> {
            assertThat(w.reason()).isEqualTo(dev.agenttasks.domain.task.Waiting.Reason.CIRCUIT_OPEN);
            assertThat(w.model()).isEqualTo(SMALL_MODEL);
            assertThat(w.until()).isEqualTo(T0.plusSeconds(30));
        });
    }

    @Test
    void failuresAcrossTasksOpenTheBreakerForTheWholeFleetAndTheProbeClosesIt() {
        ScriptedLlmClient dead = new ScriptedLlmClient().thenFailTransiently("http_503");
        for (int i = 0; i < 5; i++) {
            processor(dead, 1).process(stored().id(), shortInvocation());
        }
        assertThat(dead.calls()).isEqualTo(5);

        ScriptedLlmClient healthy = ScriptedLlmClient.answering("4");
        Task held = stored();
        assertThat(processor(healthy).process(held.id(), longInvocation())).isInstanceOfSatisfying(RetryLater.class,
                later -> assertThat(later.why()).isEqualTo(Why.CIRCUIT_OPEN));
        assertThat(healthy.calls()).isZero();

        clock.advance(BreakerConfig.DEFAULT_RECOVERY.plusSeconds(10));
        assertThat(processor(healthy).process(held.id(), longInvocation())).isEqualTo(new Done(Outcome.COMPLETED));
        assertThat(healthy.calls()).as("the probe").isEqualTo(1);
        assertThat(current(held).waitingFor()).isEmpty();
        assertThat(current(held).attempts()).isEqualTo(1);
    }

    @Test
    void aRateLimitHoldsEveryTaskOfThatModelUntilTheProviderSaid() {
        ScriptedLlmClient limited = new ScriptedLlmClient().then(request -> {
            throw new dev.agenttasks.domain.port.LlmException(dev.agenttasks.domain.port.LlmException.Kind.TRANSIENT,
                    "http_429", "rate limited", 429, Duration.ofSeconds(20), null);
        });
        processor(limited).process(stored().id(), shortInvocation());
        Task other = stored();

        ProcessResult result = processor(ScriptedLlmClient.answering("4")).process(other.id(), longInvocation());

        assertThat(result).isInstanceOfSatisfying(RetryLater.class, later -> {
            assertThat(later.why()).isEqualTo(Why.RATE_LIMITED);
            assertThat(later.delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(20));
        });
        assertThat(current(other).attempts()).isZero();
    }

    @Test
    void aTaskHeldPastItsDeadlineFailsWithAClearError() {
        breaker().forceOpen("scripted", SMALL_MODEL, Duration.ofMinutes(5));
        Task task = storedAt(T0.minus(MAX_AGE).plusSeconds(60));

        ProcessResult result = processor(ScriptedLlmClient.answering("4")).process(task.id(), longInvocation());

        assertThat(result).isEqualTo(new Done(Outcome.FAILED));
        assertThat(current(task).error().code()).isEqualTo("deadline_exceeded");
        assertThat(current(task).error().message()).endsWith("; last error: circuit open");
    }

    private Task storedWithCallback() {
        Task task = new Task.Builder(TaskIds.newId(), "iam:alice", "What is 2 + 2?", clock.instant())
                .expiresAt(clock.instant().plus(Duration.ofDays(7))).callbackUrl("https://hooks.example.com/t").build();
        assertThat(store.createIfAbsent(task)).isEmpty();
        return task;
    }

    @Test
    void finishingATaskWithACallbackUrlOwesItsWebhookAndSendsItsMessageOnce() {
        Task task = storedWithCallback();
        Task plain = stored();

        processor(ScriptedLlmClient.answering("4")).process(task.id(), longInvocation());
        processor(ScriptedLlmClient.answering("4")).process(plain.id(), longInvocation());
        ProcessResult duplicate = processor(ScriptedLlmClient.answering("4")).process(task.id(), longInvocation());

        assertThat(duplicate).isEqualTo(new Done(Outcome.ALREADY_FINISHED));
        assertThat(current(task).callback()).isEqualTo(dev.agenttasks.domain.task.Callback.owed());
        assertThat(current(plain).callback()).isNull();
        assertThat(webhooks.sent()).containsExactly(task.id());
    }

    @Test
    void aCancelledTaskOwesItsWebhookToo() {
        Task task = storedWithCallback();
        ScriptedLlmClient llm = new ScriptedLlmClient().then(request -> {
            store.requestCancel(task.id(), "iam:alice", clock.instant());
            return ScriptedLlmClient.answering("too late").complete(request);
        });

        assertThat(processor(llm).process(task.id(), longInvocation())).isEqualTo(new Done(Outcome.CANCELLED));

        assertThat(webhooks.sent()).containsExactly(task.id());
    }

    @Test
    void whenTheWebhookCannotBeMarkedOwedTheMessageComesBackAndMarksItWithoutAnotherCall() {
        Task task = storedWithCallback();
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");
        faulty.failNext(Operation.MARK_CALLBACK_OWED, 1);
        TaskProcessor processor = processor(llm);

        ProcessResult first = processor.process(task.id(), longInvocation());
        ProcessResult again = processor.process(task.id(), longInvocation());

        assertThat(first).isInstanceOf(ProcessResult.RetryLater.class);
        assertThat(current(task).status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(again).isEqualTo(new Done(Outcome.ALREADY_FINISHED));
        assertThat(llm.calls()).isEqualTo(1);
        assertThat(webhooks.sent()).containsExactly(task.id());
    }

    @Test
    void whileTheTiersModelIsHeldItsTaskWaitsByDefault() {
        Task task = storedWithText("Explain in detail how a lease differs from a lock in a distributed system.");
        breaker().forceOpen(ScriptedLlmClient.answering("x").provider(), "llama-3.3-70b-versatile", Duration.ofMinutes(5));
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");

        ProcessResult result = processor(llm).process(task.id(), longInvocation());

        assertThat(result).isInstanceOf(ProcessResult.RetryLater.class);
        assertThat(llm.calls()).isZero();
        assertThat(current(task).status()).isEqualTo(TaskStatus.PENDING);
        assertThat(current(task).waitingFor()).hasValueSatisfying(waiting ->
                assertThat(waiting.model()).isEqualTo("llama-3.3-70b-versatile"));
        assertThat(current(task).attempts()).as("not charged").isZero();
    }

    @Test
    void aBreakerThatOpensWhileTheRetryIsCountedHoldsTheTaskWithoutTheCallOrTheCharge() {
        Task task = stored();
        ScriptedLlmClient llm = new ScriptedLlmClient().thenFailTransiently("http_503").thenAnswer("4");
        TaskProcessor processor = processor(llm);
        faulty.beforeNext(FaultyTaskStore.Operation.RECORD_ATTEMPT, () -> {
            clock.advance(Duration.ofSeconds(2));   // a slow write: this container's view of the breaker ages
            breaker().forceOpen(llm.provider(), SMALL_MODEL, Duration.ofMinutes(5));
        });

        ProcessResult result = processor.process(task.id(), longInvocation());

        assertThat(result).isInstanceOf(ProcessResult.RetryLater.class);
        assertThat(llm.calls()).as("the retry is not sent").isEqualTo(1);
        assertThat(current(task).status()).isEqualTo(TaskStatus.PENDING);
        assertThat(current(task).attempts()).as("the retry's attempt is given back").isEqualTo(1);
        assertThat(current(task).waitingFor()).hasValueSatisfying(waiting -> assertThat(waiting.model()).isEqualTo(SMALL_MODEL));
    }

    @Test
    void whileTheTiersModelIsHeldAConfiguredFallbackRunsTheTaskDegraded() {
        Task task = storedWithText("Explain in detail how a lease differs from a lock in a distributed system.");
        breaker().forceOpen(ScriptedLlmClient.answering("x").provider(), "llama-3.3-70b-versatile", Duration.ofMinutes(5));
        ScriptedLlmClient llm = ScriptedLlmClient.answering("4");
        RequestPlanner withFallback = new RequestPlanner(dev.agenttasks.domain.routing.RoutingConfigs.builtInWithFallback(),
                dev.agenttasks.domain.routing.TokenCounter.cl100k());

        assertThat(processor(llm, 5, withFallback).process(task.id(), longInvocation())).isEqualTo(new Done(Outcome.COMPLETED));

        assertThat(current(task).model()).isEqualTo(SMALL_MODEL);
        assertThat(current(task).progress().degraded()).isTrue();
    }

    private Task storedWithText(String text) {
        Task task = Task.pending(TaskIds.newId(), "iam:alice", text, null, clock.instant(), clock.instant().plus(Duration.ofDays(7)));
        assertThat(store.createIfAbsent(task)).isEmpty();
        return task;
    }
}
