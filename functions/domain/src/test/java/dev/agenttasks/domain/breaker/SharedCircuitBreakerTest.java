package dev.agenttasks.domain.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.breaker.Permit.Allowed;
import dev.agenttasks.domain.breaker.Permit.Held;
import dev.agenttasks.domain.breaker.Permit.Probe;
import dev.agenttasks.domain.breaker.Permit.Reason;
import dev.agenttasks.domain.fakes.InMemoryCircuitBreakerStore;
import dev.agenttasks.domain.fakes.MutableClock;
import dev.agenttasks.domain.port.BreakerKey;
import dev.agenttasks.domain.port.LlmException;

class SharedCircuitBreakerTest {

    private static final String PROVIDER = "openai";
    private static final String MODEL = "llama-3.3-70b-versatile";
    private static final String SMALL_MODEL = "llama-3.1-8b-instant";
    private static final BreakerKey KEY = BreakerKey.of(PROVIDER, MODEL);
    private static final Duration RECOVERY = BreakerConfig.DEFAULT_RECOVERY;
    private static final Duration CACHE = BreakerConfig.DEFAULT_CACHE_TTL;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final InMemoryCircuitBreakerStore store = new InMemoryCircuitBreakerStore();
    private final BreakerCounters counters = new BreakerCounters();
    private final ExecutorService threads = Executors.newFixedThreadPool(16);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** One container's breaker: its own cache, the fleet's store and clock. */
    private SharedCircuitBreaker worker() {
        return worker(BreakerConfig.ofDefaults());
    }

    private SharedCircuitBreaker worker(BreakerConfig config) {
        return SharedCircuitBreaker.of(store, config, clock, counters);
    }

    private Instant now() {
        return clock.instant();
    }

    private static void fail(SharedCircuitBreaker breaker, int times) {
        for (int i = 0; i < times; i++) {
            Permit permit = breaker.acquire(PROVIDER, MODEL);
            assertThat(permit).isInstanceOf(Allowed.class);
            breaker.onTransientFailure(permit);
        }
    }

    private SharedCircuitBreaker openedBreaker() {
        SharedCircuitBreaker breaker = worker();
        fail(breaker, BreakerConfig.DEFAULT_FAILURE_THRESHOLD);
        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Held.class);
        return breaker;
    }

    private static LlmException http(int status, Duration retryAfter) {
        return new LlmException(status < 500 && status != 429 && status != 408 ? LlmException.Kind.PERMANENT
                : LlmException.Kind.TRANSIENT, "http_" + status, "HTTP " + status, status, retryAfter, null);
    }

    @Test
    void theHealthyPathWritesNothingAndReadsAtMostOncePerCacheTtl() {
        SharedCircuitBreaker breaker = worker();

        for (int i = 0; i < 100; i++) {
            Permit permit = breaker.acquire(PROVIDER, MODEL);
            assertThat(permit).isEqualTo(new Allowed(KEY));
            breaker.onSuccess(permit);
            clock.advance(Duration.ofMillis(100));
        }

        assertThat(store.writes()).isZero();
        assertThat(store.requests(InMemoryCircuitBreakerStore.READ)).isEqualTo(10);
    }

    @Test
    void itOpensAfterTheThresholdOfTransientFailuresWithinTheWindow() {
        SharedCircuitBreaker breaker = worker();
        fail(breaker, 4);
        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);

        fail(breaker, 1);

        assertThat(breaker.acquire(PROVIDER, MODEL)).isEqualTo(new Held(KEY, Reason.CIRCUIT_OPEN, now().plus(RECOVERY)));
        assertThat(counters.get(BreakerCounters.OPENED)).isEqualTo(1);
    }

    @Test
    void failuresSpreadWiderThanTheWindowNeverOpenIt() {
        SharedCircuitBreaker breaker = worker();

        for (int i = 0; i < 40; i++) {
            fail(breaker, 1);
            clock.advance(Duration.ofSeconds(15));
        }

        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);
        assertThat(counters.get(BreakerCounters.OPENED)).isZero();
    }

    @Test
    void successesInBetweenDoNotResetTheCountLikeAConsecutiveCounterWould() {
        SharedCircuitBreaker breaker = worker();

        for (int i = 0; i < 5; i++) {
            breaker.onSuccess(breaker.acquire(PROVIDER, MODEL));
            fail(breaker, 1);
            clock.advance(Duration.ofSeconds(5));
        }

        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Held.class);
    }

    @Test
    void callerErrorsNeverCountAndWriteNothing() {
        SharedCircuitBreaker breaker = worker();

        for (int i = 0; i < 20; i++) {
            Permit permit = breaker.acquire(PROVIDER, MODEL);
            breaker.onFailure(permit, http(400, null));
            breaker.onCallerError(breaker.acquire(PROVIDER, MODEL));
        }

        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);
        assertThat(store.writes()).isZero();
    }

    @Test
    void onFailureCountsServerErrorsAndTimeoutsButNotCallerErrors() {
        SharedCircuitBreaker breaker = worker(BreakerConfig.custom().failureThreshold(100).build());
        List<LlmException> errors = List.of(http(503, null), http(500, null), http(404, null), http(401, null),
                LlmException.transientError("timeout", "timed out", null), http(422, null),
                LlmException.transientError("connection_error", "refused", null), http(502, Duration.ofSeconds(3)));

        for (LlmException error : errors) {
            breaker.onFailure(breaker.acquire(PROVIDER, MODEL), error);
        }

        assertThat(store.find(KEY).orElseThrow().failuresInWindow(now(), BreakerConfig.DEFAULT_WINDOW)).isEqualTo(5);
    }

    @Test
    void everyOtherWorkerIsHeldOnceItsCachedStateIsOlderThanTheTtl() {
        SharedCircuitBreaker other = worker();
        assertThat(other.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);

        openedBreaker();
        clock.advance(CACHE);

        assertThat(other.acquire(PROVIDER, MODEL)).isInstanceOfSatisfying(Held.class,
                held -> assertThat(held.reason()).isEqualTo(Reason.CIRCUIT_OPEN));
    }

    @Test
    void failuresOfCallsStillInFlightWhenItOpenedWriteNothing() {
        SharedCircuitBreaker breaker = worker();
        List<Permit> inFlight = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            inFlight.add(breaker.acquire(PROVIDER, MODEL));
        }
        for (Permit permit : inFlight.subList(0, 5)) {
            breaker.onTransientFailure(permit);
        }
        int writesAtOpening = store.writes();

        for (Permit permit : inFlight.subList(5, 10)) {
            breaker.onTransientFailure(permit);
        }

        assertThat(store.writes()).isEqualTo(writesAtOpening);
        assertThat(writesAtOpening).as("five failures and one opening").isEqualTo(6);
    }

    @Test
    void aPermitTakenBeforeTheBreakerOpenedIsHeldWhenLookedAtAgainBeforeItsCall() {
        SharedCircuitBreaker breaker = worker();
        Permit early = breaker.acquire(PROVIDER, MODEL);
        assertThat(breaker.recheck(early)).as("still closed").isEmpty();

        fail(breaker, BreakerConfig.DEFAULT_FAILURE_THRESHOLD);

        assertThat(breaker.recheck(early)).hasValueSatisfying(held -> {
            assertThat(held.reason()).isEqualTo(Reason.CIRCUIT_OPEN);
            assertThat(held.until()).isEqualTo(now().plus(RECOVERY));
        });
    }

    @Test
    void aProbeStandsWhenLookedAtAgain() {
        SharedCircuitBreaker breaker = openedBreaker();
        clock.advance(RECOVERY);

        Permit probe = breaker.acquire(PROVIDER, MODEL);

        assertThat(probe).isInstanceOf(Probe.class);
        assertThat(breaker.recheck(probe)).isEmpty();
    }

    @Test
    void failuresStillBeingWrittenHoldTheContainersNextCallsAsIfOpen() throws Exception {
        SharedCircuitBreaker breaker = worker();
        List<Permit> inFlight = new ArrayList<>();
        for (int i = 0; i < BreakerConfig.DEFAULT_FAILURE_THRESHOLD; i++) {
            inFlight.add(breaker.acquire(PROVIDER, MODEL));
        }
        Permit early = breaker.acquire(PROVIDER, MODEL);
        CountDownLatch slowTable = store.holdBack("recordFailure");
        List<Future<?>> reports = new ArrayList<>();
        for (Permit permit : inFlight) {
            reports.add(threads.submit(() -> breaker.onTransientFailure(permit)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> store.waitingAtGate() == inFlight.size());

        Permit next = breaker.acquire(PROVIDER, MODEL);

        assertThat(next).isInstanceOfSatisfying(Held.class, held -> {
            assertThat(held.reason()).isEqualTo(Reason.CIRCUIT_OPEN);
            assertThat(held.until()).isEqualTo(now().plus(RECOVERY));
        });
        assertThat(breaker.recheck(early)).isPresent();
        assertThat(worker().acquire(PROVIDER, MODEL)).as("another container knows nothing yet").isInstanceOf(Allowed.class);
        slowTable.countDown();
        for (Future<?> report : reports) {
            report.get(10, TimeUnit.SECONDS);
        }
        clock.advance(CACHE);
        assertThat(worker().acquire(PROVIDER, MODEL)).as("the fleet, once the writes land").isInstanceOf(Held.class);
    }

    @Test
    void failuresWhoseWritesFailHoldNothingOnceAnswered() throws Exception {
        SharedCircuitBreaker breaker = worker();
        List<Permit> inFlight = new ArrayList<>();
        for (int i = 0; i < BreakerConfig.DEFAULT_FAILURE_THRESHOLD; i++) {
            inFlight.add(breaker.acquire(PROVIDER, MODEL));
        }
        store.failOnly("recordFailure");

        inFlight.forEach(breaker::onTransientFailure);

        assertThat(breaker.acquire(PROVIDER, MODEL)).as("fails open").isInstanceOf(Allowed.class);
    }

    @Test
    void afterTheRecoveryTimeExactlyOneWorkerProbesAndTheOthersAreHeldBriefly() {
        openedBreaker();
        List<SharedCircuitBreaker> fleet = List.of(worker(), worker(), worker(), worker());
        clock.advance(RECOVERY);

        List<Permit> permits = fleet.stream().map(w -> w.acquire(PROVIDER, MODEL)).toList();

        assertThat(permits).filteredOn(Probe.class::isInstance).hasSize(1);
        assertThat(permits).filteredOn(Held.class::isInstance).hasSize(3).allSatisfy(permit -> {
            Held held = (Held) permit;
            assertThat(held.reason()).isEqualTo(Reason.CIRCUIT_OPEN);
            assertThat(held.until()).isEqualTo(now().plus(BreakerConfig.DEFAULT_PROBE_PENDING_HOLD));
        });
        assertThat(counters.get(BreakerCounters.PROBES)).isEqualTo(1);
    }

    @Test
    void aSuccessfulProbeClosesTheBreakerForEveryoneAndTheOldFailuresAreForgotten() {
        openedBreaker();
        SharedCircuitBreaker prober = worker();
        SharedCircuitBreaker other = worker();
        clock.advance(RECOVERY);
        Permit probe = prober.acquire(PROVIDER, MODEL);
        assertThat(other.acquire(PROVIDER, MODEL)).isInstanceOf(Held.class);

        prober.onSuccess(probe);
        clock.advance(CACHE);

        assertThat(prober.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);
        assertThat(other.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);
        fail(other, 4);
        assertThat(other.acquire(PROVIDER, MODEL)).as("4 new failures do not re-open it").isInstanceOf(Allowed.class);
        assertThat(counters.get(BreakerCounters.CLOSED)).isEqualTo(1);
    }

    @Test
    void eachFailedProbeDoublesTheOpenTimeUpToTheCap() {
        SharedCircuitBreaker breaker = openedBreaker();
        List<Duration> openTimes = new ArrayList<>();

        for (int i = 0; i < 6; i++) {
            Held held = (Held) breaker.acquire(PROVIDER, MODEL);
            clock.set(held.until());
            Permit probe = breaker.acquire(PROVIDER, MODEL);
            assertThat(probe).isInstanceOf(Probe.class);
            breaker.onTransientFailure(probe);
            Held next = (Held) breaker.acquire(PROVIDER, MODEL);
            openTimes.add(Duration.between(now(), next.until()));
        }

        assertThat(openTimes).containsExactly(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(240),
                Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5));
        assertThat(counters.get(BreakerCounters.REOPENED)).isEqualTo(6);
    }

    @Test
    void aProbeThatHitsACallerErrorHandsTheRightOnAtOnce() {
        openedBreaker();
        SharedCircuitBreaker prober = worker();
        SharedCircuitBreaker next = worker();
        clock.advance(RECOVERY);
        Permit probe = prober.acquire(PROVIDER, MODEL);
        assertThat(next.acquire(PROVIDER, MODEL)).isInstanceOf(Held.class);

        prober.onFailure(probe, http(413, null));
        clock.advance(CACHE);

        assertThat(next.acquire(PROVIDER, MODEL)).isInstanceOf(Probe.class);
        assertThat(counters.get(BreakerCounters.CLOSED)).isZero();
        assertThat(counters.get(BreakerCounters.REOPENED)).isZero();
    }

    @Test
    void aProbeRightNeverReportedLapsesAndTheLateReportIsDropped() {
        openedBreaker();
        SharedCircuitBreaker dead = worker();
        SharedCircuitBreaker next = worker();
        clock.advance(RECOVERY);
        Permit lapsed = dead.acquire(PROVIDER, MODEL);
        assertThat(lapsed).isInstanceOfSatisfying(Probe.class,
                probe -> assertThat(probe.expiresAt()).isEqualTo(now().plus(BreakerConfig.DEFAULT_PROBE_RIGHT)));

        clock.advance(BreakerConfig.DEFAULT_PROBE_RIGHT.minusMillis(1));
        assertThat(next.acquire(PROVIDER, MODEL)).isInstanceOf(Held.class);
        clock.advance(Duration.ofMillis(1));
        Permit probe = next.acquire(PROVIDER, MODEL);
        assertThat(probe).isInstanceOf(Probe.class);

        dead.onSuccess(lapsed);
        assertThat(store.find(KEY).orElseThrow().open()).as("the lapsed prober cannot close it").isTrue();
        next.onTransientFailure(probe);
        assertThat(store.find(KEY).orElseThrow().openUntil()).isEqualTo(now().plusSeconds(60));
    }

    @Test
    void aRateLimitWithAHintHoldsEveryWorkerUntilThenWithoutCountingAFailure() {
        SharedCircuitBreaker limited = worker();
        SharedCircuitBreaker other = worker();
        assertThat(other.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);

        limited.onFailure(limited.acquire(PROVIDER, MODEL), http(429, Duration.ofSeconds(20)));
        Instant until = now().plusSeconds(20);
        clock.advance(CACHE);

        assertThat(limited.acquire(PROVIDER, MODEL)).isEqualTo(new Held(KEY, Reason.RATE_LIMITED, until));
        assertThat(other.acquire(PROVIDER, MODEL)).isEqualTo(new Held(KEY, Reason.RATE_LIMITED, until));
        assertThat(store.find(KEY).orElseThrow().failuresInWindow(now(), BreakerConfig.DEFAULT_WINDOW)).isZero();
        clock.set(until);
        assertThat(other.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);
        assertThat(counters.get(BreakerCounters.RATE_LIMIT_HOLDS)).isEqualTo(1);
    }

    @Test
    void concurrentRateLimitsWriteOnceWhenTheHoldIsAlreadyKnown() {
        SharedCircuitBreaker breaker = worker();
        List<Permit> inFlight = List.of(breaker.acquire(PROVIDER, MODEL), breaker.acquire(PROVIDER, MODEL),
                breaker.acquire(PROVIDER, MODEL));

        inFlight.forEach(permit -> breaker.onRateLimited(permit, Duration.ofSeconds(10)));

        assertThat(store.requests("holdForRateLimit")).isEqualTo(1);
    }

    @Test
    void aRateLimitHintIsCappedAtTheLongestHold() {
        SharedCircuitBreaker breaker = worker();

        breaker.onRateLimited(breaker.acquire(PROVIDER, MODEL), Duration.ofHours(2));

        assertThat(breaker.acquire(PROVIDER, MODEL)).isEqualTo(
                new Held(KEY, Reason.RATE_LIMITED, now().plus(BreakerConfig.DEFAULT_MAX_RATE_LIMIT_HOLD)));
    }

    @Test
    void a429WithoutAWaitHintCountsAsATransientFailure() {
        SharedCircuitBreaker breaker = worker();

        for (int i = 0; i < 5; i++) {
            breaker.onFailure(breaker.acquire(PROVIDER, MODEL), http(429, null));
        }

        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOfSatisfying(Held.class,
                held -> assertThat(held.reason()).isEqualTo(Reason.CIRCUIT_OPEN));
    }

    @Test
    void aRateLimitedProbeClosesTheBreakerAndHoldsTheFleetUntilTheHint() {
        SharedCircuitBreaker breaker = openedBreaker();
        clock.advance(RECOVERY);
        Permit probe = breaker.acquire(PROVIDER, MODEL);

        breaker.onFailure(probe, http(429, Duration.ofSeconds(7)));

        assertThat(store.find(KEY).orElseThrow().open()).isFalse();
        assertThat(breaker.acquire(PROVIDER, MODEL)).isEqualTo(new Held(KEY, Reason.RATE_LIMITED, now().plusSeconds(7)));
        clock.advance(Duration.ofSeconds(7));
        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);
    }

    @Test
    void anUnreachableStoreLetsCallsThroughAndIsCounted() {
        SharedCircuitBreaker breaker = worker();
        store.unreachable(true);

        for (int i = 0; i < 20; i++) {
            Permit permit = breaker.acquire(PROVIDER, MODEL);
            assertThat(permit).isInstanceOf(Allowed.class);
            breaker.onTransientFailure(permit);
            breaker.onRateLimited(permit, Duration.ofSeconds(5));
        }

        assertThat(counters.get(BreakerCounters.FAIL_OPEN)).isEqualTo(41);
        assertThat(store.requests(InMemoryCircuitBreakerStore.READ)).as("one read per cache period").isEqualTo(1);
    }

    @Test
    void aRateLimitHoldThisContainerKnowsOfOutlastsAFailedRead() {
        SharedCircuitBreaker breaker = worker();
        Permit permit = breaker.acquire(PROVIDER, MODEL);
        breaker.onRateLimited(permit, Duration.ofSeconds(20));
        Instant until = now().plusSeconds(20);
        store.unreachable(true);

        clock.advance(CACHE.multipliedBy(3));
        Permit duringOutage = breaker.acquire(PROVIDER, MODEL);
        clock.set(until.plusMillis(1));
        Permit afterHold = breaker.acquire(PROVIDER, MODEL);

        assertThat(duringOutage).isEqualTo(new Held(KEY, Reason.RATE_LIMITED, until));
        assertThat(afterHold).as("the hold is over: fail open").isInstanceOf(Allowed.class);
    }

    @Test
    void anOpenBreakerThisContainerKnowsOfStaysOpenThroughAFailedRead() {
        SharedCircuitBreaker breaker = openedBreaker();
        store.unreachable(true);

        clock.advance(CACHE.multipliedBy(2));

        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Held.class);
    }

    @Test
    void aProbeRightThatCannotBeWrittenLetsTheCallThrough() {
        SharedCircuitBreaker breaker = openedBreaker();
        clock.advance(RECOVERY);
        store.failOnly("tryAcquireProbe");

        Permit permit = breaker.acquire(PROVIDER, MODEL);
        breaker.onSuccess(permit);

        assertThat(permit).isInstanceOf(Allowed.class);
        assertThat(store.requests("tryAcquireProbe")).isEqualTo(1);
        assertThat(counters.get(BreakerCounters.FAIL_OPEN)).isEqualTo(1);
    }

    @Test
    void aFailureThatCannotBeRecordedIsCountedAndNeverThrown() {
        SharedCircuitBreaker breaker = worker();
        store.failOnly("recordFailure");

        fail(breaker, 10);

        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);
        assertThat(counters.get(BreakerCounters.FAIL_OPEN)).isEqualTo(10);
    }

    @Test
    void theBreakerGuardsAgainOnceTheStoreIsBack() {
        SharedCircuitBreaker breaker = worker();
        store.unreachable(true);
        fail(breaker, 10);
        store.unreachable(false);
        clock.advance(CACHE);

        fail(breaker, 5);

        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Held.class);
    }

    @Test
    void threadsOfOneContainerShareOneReadPerCachePeriod() throws Exception {
        SharedCircuitBreaker breaker = worker();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Permit>> permits = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            permits.add(threads.submit(() -> {
                start.await();
                return breaker.acquire(PROVIDER, MODEL);
            }));
        }
        start.countDown();

        for (Future<Permit> permit : permits) {
            assertThat(permit.get(10, TimeUnit.SECONDS)).isInstanceOf(Allowed.class);
        }
        assertThat(store.requests(InMemoryCircuitBreakerStore.READ)).isEqualTo(1);
    }

    @Test
    void acquireFirstFallsBackToTheNextModelAndOtherwiseReturnsTheEarliestHold() {
        SharedCircuitBreaker breaker = worker();
        breaker.forceOpen(PROVIDER, MODEL, Duration.ofMinutes(10));

        assertThat(breaker.acquireFirst(PROVIDER, List.of(MODEL, SMALL_MODEL)))
                .isEqualTo(new Allowed(BreakerKey.of(PROVIDER, SMALL_MODEL)));

        breaker.forceOpen(PROVIDER, SMALL_MODEL, Duration.ofMinutes(2));
        assertThat(breaker.acquireFirst(PROVIDER, List.of(MODEL, SMALL_MODEL))).isEqualTo(
                new Held(BreakerKey.of(PROVIDER, SMALL_MODEL), Reason.CIRCUIT_OPEN, now().plus(Duration.ofMinutes(2))));
    }

    @Test
    void aHeldPermitHasNoCallToReport() {
        SharedCircuitBreaker breaker = openedBreaker();
        Permit held = breaker.acquire(PROVIDER, MODEL);

        assertThatThrownBy(() -> breaker.onTransientFailure(held)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> breaker.onSuccess(held)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statusesShowEachBreakerAndTheLongestOpenOne() {
        SharedCircuitBreaker breaker = openedBreaker();
        SharedCircuitBreaker small = worker();
        Permit permit = small.acquire(PROVIDER, SMALL_MODEL);
        small.onTransientFailure(permit);
        clock.advance(Duration.ofSeconds(45));

        List<BreakerStatus> statuses = breaker.statuses();

        assertThat(statuses).extracting(BreakerStatus::key)
                .containsExactly(BreakerKey.of(PROVIDER, SMALL_MODEL), KEY);
        assertThat(statuses.get(0).state()).isEqualTo(BreakerState.CLOSED);
        assertThat(statuses.get(0).failuresInWindow()).isEqualTo(1);
        assertThat(statuses.get(0).openFor()).isEmpty();
        assertThat(statuses.get(1).state()).isEqualTo(BreakerState.HALF_OPEN);
        assertThat(statuses.get(1).openFor()).hasValue(Duration.ofSeconds(45));
        assertThat(breaker.longestOpen()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void noOpenBreakerMeansALongestOpenTimeOfZero() {
        assertThat(worker().longestOpen()).isZero();
    }

    @Test
    void forcingOpenHoldsAndForcingClosedReleasesAtOnce() {
        SharedCircuitBreaker breaker = worker();
        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);

        breaker.forceOpen(PROVIDER, MODEL, Duration.ofHours(1));
        assertThat(breaker.acquire(PROVIDER, MODEL))
                .isEqualTo(new Held(KEY, Reason.CIRCUIT_OPEN, now().plus(Duration.ofHours(1))));

        breaker.forceClose(PROVIDER, MODEL);
        assertThat(breaker.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class);
    }

    @Test
    void aHeldTaskComesBackAfterTheHoldPlusAJitterOfAtMostAFifthOfTheWait() {
        Held held = new Held(KEY, Reason.CIRCUIT_OPEN, now().plusSeconds(30));

        assertThat(held.delayFrom(now(), () -> 0.0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(held.delayFrom(now(), () -> 0.999)).isBetween(Duration.ofMillis(35_990), Duration.ofSeconds(36));
        assertThat(held.delayFrom(now().plusSeconds(40), () -> 0.5)).as("a past hold: only the jitter")
                .isEqualTo(Duration.ofMillis(500));
    }
}
