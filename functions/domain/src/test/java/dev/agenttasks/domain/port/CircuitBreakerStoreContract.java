package dev.agenttasks.domain.port;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.port.CircuitBreakerStore.Write;

/**
 * What every {@link CircuitBreakerStore} does, written once: the in-memory fake and the DynamoDB adapter
 * both run it. Subclasses supply a fresh, empty store.
 */
public abstract class CircuitBreakerStoreContract {

    protected static final BreakerKey KEY = BreakerKey.of("openai", "llama-3.3-70b-versatile");
    protected static final Duration WINDOW = Duration.ofSeconds(60);
    /** Millisecond precision, as stored. */
    protected final Instant now = Instant.ofEpochMilli(1_800_000_000_000L);

    private CircuitBreakerStore store;
    private ExecutorService threads;

    /** A store with nothing in it. */
    protected abstract CircuitBreakerStore emptyStore();

    @BeforeEach
    void freshStore() {
        store = emptyStore();
        threads = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void aBreakerNeverWrittenIsAbsent() {
        assertThat(store.find(KEY)).isEmpty();
        assertThat(store.findAll()).isEmpty();
    }

    @Test
    void failuresAddUpInTheirSlotsAndTheNamedStaleSlotsGo() {
        Instant early = now.minusSeconds(90);
        store.recordFailure(KEY, early, Set.of(), early);
        store.recordFailure(KEY, now, Set.of(), now);
        Write write = store.recordFailure(KEY, now, Set.of(early), now);

        assertThat(write.applied()).isTrue();
        assertThat(write.record().failureSlots()).containsExactlyEntriesOf(java.util.Map.of(now, 2L));
        assertThat(write.record().open()).isFalse();
        assertThat(store.find(KEY)).hasValueSatisfying(found -> {
            assertThat(found.key()).isEqualTo(KEY);
            assertThat(found.failuresInWindow(now, WINDOW)).isEqualTo(2);
        });
    }

    @Test
    void concurrentFailuresAreAllCounted() throws Exception {
        List<Callable<Write>> writers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            writers.add(() -> store.recordFailure(KEY, now, Set.of(), now));
        }

        for (Future<Write> write : threads.invokeAll(writers)) {
            assertThat(write.get().applied()).isTrue();
        }

        assertThat(store.find(KEY).orElseThrow().failuresInWindow(now, WINDOW)).isEqualTo(40);
    }

    @Test
    void anOpenBreakerRefusesFailuresAndAnswersWithItsState() {
        store.recordFailure(KEY, now, Set.of(), now);
        store.open(KEY, null, now, now.plusSeconds(30));

        Write refused = store.recordFailure(KEY, now, Set.of(), now.plusSeconds(1));

        assertThat(refused.applied()).isFalse();
        assertThat(refused.record().open()).isTrue();
        assertThat(refused.record().openUntil()).isEqualTo(now.plusSeconds(30));
        assertThat(refused.record().failureSlots()).containsEntry(now, 1L);
    }

    @Test
    void openingTakesAClosedBreakerWhoseCountingIsAsSeen() {
        store.recordFailure(KEY, now, Set.of(), now);

        Write opened = store.open(KEY, null, now, now.plusSeconds(30));
        Write again = store.open(KEY, null, now, now.plusSeconds(30));

        assertThat(opened.applied()).isTrue();
        assertThat(opened.record().open()).isTrue();
        assertThat(opened.record().openedAt()).isEqualTo(now);
        assertThat(opened.record().openUntil()).isEqualTo(now.plusSeconds(30));
        assertThat(opened.record().countedAfter()).isEqualTo(now);
        assertThat(opened.record().failedProbes()).isZero();
        assertThat(opened.record().failuresInWindow(now.plusSeconds(1), WINDOW))
                .as("failures from before an opening never count again").isZero();
        assertThat(again.applied()).isFalse();
    }

    @Test
    void openingIsRefusedOnceTheBreakerWasClosedByForceSinceTheFailuresWereCounted() {
        Write counted = store.recordFailure(KEY, now, Set.of(), now);
        store.forceClose(KEY, now.plusMillis(5));

        Write stale = store.open(KEY, counted.record().countedAfter(), now.plusMillis(6), now.plusSeconds(30));

        assertThat(stale.applied()).isFalse();
        assertThat(stale.record().open()).isFalse();
        assertThat(stale.record().countedAfter()).isEqualTo(now.plusMillis(5));
        assertThat(store.open(KEY, now.plusMillis(5), now.plusMillis(7), now.plusSeconds(30)).applied()).isTrue();
    }

    @Test
    void theProbeRightWaitsForTheOpenTimeToEnd() {
        store.open(KEY, null, now, now.plusSeconds(30));

        assertThat(store.tryAcquireProbe(KEY, "early", now.plusSeconds(29), now.plusSeconds(64)).applied()).isFalse();
        Write won = store.tryAcquireProbe(KEY, "on-time", now.plusSeconds(30), now.plusSeconds(65));

        assertThat(won.applied()).isTrue();
        assertThat(won.record().probeOwner()).isEqualTo("on-time");
        assertThat(won.record().probeExpiresAt()).isEqualTo(now.plusSeconds(65));
        assertThat(won.record().open()).isTrue();
    }

    @Test
    void aClosedOrAbsentBreakerHasNoProbeToTake() {
        assertThat(store.tryAcquireProbe(KEY, "w", now, now.plusSeconds(35)).applied()).isFalse();
        store.recordFailure(KEY, now, Set.of(), now);
        assertThat(store.tryAcquireProbe(KEY, "w", now, now.plusSeconds(35)).applied()).isFalse();
    }

    @Test
    void exactlyOneOfManyConcurrentCallersWinsTheProbeRight() throws Exception {
        store.open(KEY, null, now, now.plusSeconds(30));
        Instant later = now.plusSeconds(31);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Write>> attempts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String owner = "worker-" + i;
            attempts.add(threads.submit(() -> {
                start.await();
                return store.tryAcquireProbe(KEY, owner, later, later.plusSeconds(35));
            }));
        }
        start.countDown();

        List<Write> writes = new ArrayList<>();
        for (Future<Write> attempt : attempts) {
            writes.add(attempt.get(30, TimeUnit.SECONDS));
        }

        List<Write> winners = writes.stream().filter(Write::applied).toList();
        assertThat(winners).hasSize(1);
        String winner = winners.get(0).record().probeOwner();
        assertThat(store.find(KEY).orElseThrow().probeOwner()).isEqualTo(winner);
        assertThat(writes.stream().filter(w -> !w.applied()))
                .as("every loser learns who holds the right").allSatisfy(w -> assertThat(w.record().probeOwner()).isEqualTo(winner));
    }

    @Test
    void aLapsedProbeRightGoesToTheNextCallerAndTheFormerHolderCanNoLongerReport() {
        store.open(KEY, null, now, now.plusSeconds(30));
        store.tryAcquireProbe(KEY, "dead", now.plusSeconds(30), now.plusSeconds(65));

        assertThat(store.tryAcquireProbe(KEY, "next", now.plusSeconds(64), now.plusSeconds(99)).applied()).isFalse();
        assertThat(store.tryAcquireProbe(KEY, "next", now.plusSeconds(65), now.plusSeconds(100)).applied()).isTrue();
        assertThat(store.close(KEY, "dead", now.plusSeconds(66), Optional.empty()).applied()).isFalse();
        assertThat(store.reopen(KEY, "dead", now.plusSeconds(66), now.plusSeconds(200), 1).applied()).isFalse();
        assertThat(store.releaseProbe(KEY, "dead", now.plusSeconds(66)).applied()).isFalse();
        assertThat(store.find(KEY).orElseThrow().probeOwner()).isEqualTo("next");
    }

    @Test
    void theProbeHolderClosesTheBreakerAndItsOldFailuresStayUncounted() {
        store.recordFailure(KEY, now, Set.of(), now);
        store.open(KEY, null, now, now.plusSeconds(30));
        store.tryAcquireProbe(KEY, "prober", now.plusSeconds(30), now.plusSeconds(65));

        Write closed = store.close(KEY, "prober", now.plusSeconds(31), Optional.empty());

        assertThat(closed.applied()).isTrue();
        BreakerRecord record = closed.record();
        assertThat(record.open()).isFalse();
        assertThat(record.probeOwner()).isNull();
        assertThat(record.probeExpiresAt()).isNull();
        assertThat(record.openedAt()).isNull();
        assertThat(record.openUntil()).isNull();
        assertThat(record.failedProbes()).isZero();
        assertThat(record.rateLimitedUntil()).isNull();
        assertThat(record.countedAfter()).isEqualTo(now);
        assertThat(record.failuresInWindow(now.plusSeconds(31), WINDOW)).isZero();
        assertThat(store.recordFailure(KEY, now.plusSeconds(32), Set.of(), now.plusSeconds(32)).record()
                .failuresInWindow(now.plusSeconds(32), WINDOW)).isEqualTo(1);
    }

    @Test
    void aProbeThatWasRateLimitedClosesTheBreakerWithAHold() {
        store.open(KEY, null, now, now.plusSeconds(30));
        store.tryAcquireProbe(KEY, "prober", now.plusSeconds(30), now.plusSeconds(65));

        Write closed = store.close(KEY, "prober", now.plusSeconds(31), Optional.of(now.plusSeconds(40)));

        assertThat(closed.applied()).isTrue();
        assertThat(closed.record().open()).isFalse();
        assertThat(closed.record().rateLimitedUntil()).isEqualTo(now.plusSeconds(40));
    }

    @Test
    void aFailedProbeReopensTheBreakerForLongerAndFreesTheRight() {
        store.open(KEY, null, now, now.plusSeconds(30));
        store.tryAcquireProbe(KEY, "prober", now.plusSeconds(30), now.plusSeconds(65));

        assertThat(store.reopen(KEY, "stranger", now.plusSeconds(31), now.plusSeconds(91), 1).applied()).isFalse();
        Write reopened = store.reopen(KEY, "prober", now.plusSeconds(31), now.plusSeconds(91), 1);

        assertThat(reopened.applied()).isTrue();
        assertThat(reopened.record().open()).isTrue();
        assertThat(reopened.record().openedAt()).as("still the outage's start").isEqualTo(now);
        assertThat(reopened.record().openUntil()).isEqualTo(now.plusSeconds(91));
        assertThat(reopened.record().failedProbes()).isEqualTo(1);
        assertThat(reopened.record().probeOwner()).isNull();
        assertThat(store.tryAcquireProbe(KEY, "too-soon", now.plusSeconds(90), now.plusSeconds(125)).applied()).isFalse();
        assertThat(store.tryAcquireProbe(KEY, "next", now.plusSeconds(91), now.plusSeconds(126)).applied()).isTrue();
    }

    @Test
    void aReleasedProbeRightCanBeTakenAtOnceAndTheBreakerStaysOpen() {
        store.open(KEY, null, now, now.plusSeconds(30));
        store.tryAcquireProbe(KEY, "prober", now.plusSeconds(30), now.plusSeconds(65));

        assertThat(store.releaseProbe(KEY, "stranger", now.plusSeconds(31)).applied()).isFalse();
        Write released = store.releaseProbe(KEY, "prober", now.plusSeconds(31));

        assertThat(released.applied()).isTrue();
        assertThat(released.record().open()).isTrue();
        assertThat(released.record().probeOwner()).isNull();
        assertThat(store.tryAcquireProbe(KEY, "next", now.plusSeconds(31), now.plusSeconds(66)).applied()).isTrue();
    }

    @Test
    void rateLimitHoldsOnlyEverExtendAndAreNotSetOnAnOpenBreaker() {
        Write first = store.holdForRateLimit(KEY, now.plusSeconds(20), now);
        Write shorter = store.holdForRateLimit(KEY, now.plusSeconds(10), now);
        Write longer = store.holdForRateLimit(KEY, now.plusSeconds(30), now);

        assertThat(first.applied()).isTrue();
        assertThat(first.record().open()).isFalse();
        assertThat(shorter.applied()).isFalse();
        assertThat(shorter.record().rateLimitedUntil()).isEqualTo(now.plusSeconds(20));
        assertThat(longer.applied()).isTrue();
        assertThat(store.find(KEY).orElseThrow().rateLimitedUntil()).isEqualTo(now.plusSeconds(30));

        store.open(KEY, store.find(KEY).orElseThrow().countedAfter(), now, now.plusSeconds(30));
        assertThat(store.holdForRateLimit(KEY, now.plusSeconds(60), now).applied()).isFalse();
    }

    @Test
    void aRateLimitHoldLeavesTheFailureCountAlone() {
        store.recordFailure(KEY, now, Set.of(), now);

        store.holdForRateLimit(KEY, now.plusSeconds(20), now);

        assertThat(store.find(KEY).orElseThrow().failuresInWindow(now, WINDOW)).isEqualTo(1);
    }

    @Test
    void forcingOpenAndClosedOverridesAnyState() {
        store.recordFailure(KEY, now, Set.of(), now);
        store.holdForRateLimit(KEY, now.plusSeconds(20), now);

        store.forceOpen(KEY, now.plusSeconds(1), now.plusSeconds(3600));
        BreakerRecord forcedOpen = store.find(KEY).orElseThrow();
        store.forceClose(KEY, now.plusSeconds(2));
        BreakerRecord forcedClosed = store.find(KEY).orElseThrow();

        assertThat(forcedOpen.open()).isTrue();
        assertThat(forcedOpen.openedAt()).isEqualTo(now.plusSeconds(1));
        assertThat(forcedOpen.openUntil()).isEqualTo(now.plusSeconds(3600));
        assertThat(forcedOpen.failedProbes()).isZero();
        assertThat(forcedClosed.open()).isFalse();
        assertThat(forcedClosed.openUntil()).isNull();
        assertThat(forcedClosed.probeOwner()).isNull();
        assertThat(forcedClosed.rateLimitedUntil()).isNull();
        assertThat(forcedClosed.failuresInWindow(now.plusSeconds(2), WINDOW)).isZero();
    }

    @Test
    void forcingOpenClearsALiveProbeRight() {
        store.open(KEY, null, now, now.plusSeconds(30));
        store.tryAcquireProbe(KEY, "prober", now.plusSeconds(30), now.plusSeconds(65));

        store.forceOpen(KEY, now.plusSeconds(31), now.plusSeconds(600));

        assertThat(store.find(KEY).orElseThrow().probeOwner()).isNull();
        assertThat(store.close(KEY, "prober", now.plusSeconds(32), Optional.empty()).applied()).isFalse();
    }

    @Test
    void everyBreakerIsListedWithItsProviderAndModel() {
        BreakerKey slashes = BreakerKey.of("openai", "meta-llama/llama-4-scout-17b-16e-instruct");
        BreakerKey hashes = BreakerKey.of("bedrock", "model#with#hashes");
        store.recordFailure(KEY, now, Set.of(), now);
        store.forceOpen(slashes, now, now.plusSeconds(60));
        store.holdForRateLimit(hashes, now.plusSeconds(5), now);

        assertThat(store.findAll()).extracting(BreakerRecord::key).containsExactlyInAnyOrder(KEY, slashes, hashes);
        assertThat(store.find(hashes).orElseThrow().key()).isEqualTo(hashes);
    }
}
