package dev.agenttasks.domain.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.fakes.InMemoryIdempotencyStore;
import dev.agenttasks.domain.fakes.InMemoryTaskQueue;
import dev.agenttasks.domain.fakes.InMemoryTaskStore;
import dev.agenttasks.domain.fakes.MutableClock;
import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskStatus;

/** Submission on in-memory ports: one task per logical request, whatever the duplicates and failures. */
class SubmitTaskServiceTest {

    private static final Duration KEY_TTL = Duration.ofHours(24);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private final InMemoryTaskStore tasks = new InMemoryTaskStore();
    private final InMemoryIdempotencyStore keys = new InMemoryIdempotencyStore();
    private final InMemoryTaskQueue queue = new InMemoryTaskQueue();
    private final SubmitTaskService service = new SubmitTaskService(tasks, keys, queue, clock, KEY_TTL, Duration.ofDays(7));
    private final ExecutorService pool = Executors.newFixedThreadPool(24);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private static SubmitCommand command(String task, String key) {
        return new SubmitCommand(task, null, Optional.ofNullable(key), "fp:" + task);
    }

    @Test
    void aSubmissionStoresAPendingTaskAndEnqueuesItOnce() {
        SubmitResult result = service.submit("iam:alice", command("What is SQS?", null));

        assertThat(result.replayed()).isFalse();
        assertThat(TaskIds.isWellFormed(result.task().id())).isTrue();
        Task stored = tasks.find(result.task().id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(stored.owner()).isEqualTo("iam:alice");
        assertThat(stored.enqueuedAt()).as("a send is not recorded by a write of its own").isNull();
        assertThat(stored.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(7)));
        assertThat(queue.sent()).containsExactly(result.task().id());
    }

    @Test
    void concurrentDuplicatesMakeOneTaskAndOneMessage() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<SubmitResult>> calls = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            calls.add(() -> {
                start.await();
                return service.submit("iam:alice", command("Summarise the news", "key-1"));
            });
        }
        List<Future<SubmitResult>> futures = calls.stream().map(pool::submit).toList();
        start.countDown();
        List<SubmitResult> results = new ArrayList<>();
        for (Future<SubmitResult> f : futures) {
            results.add(f.get());
        }

        Set<String> ids = results.stream().map(r -> r.task().id()).collect(Collectors.toSet());
        assertThat(ids).hasSize(1);
        assertThat(results.stream().filter(r -> !r.replayed())).hasSize(1);
        assertThat(queue.sent()).containsExactly(ids.iterator().next());
        assertThat(tasks.size()).isEqualTo(1);
    }

    /** Runs {@code calls} submissions from as many threads, released at once; each result or its exception. */
    private List<Object> atOnce(List<Callable<SubmitResult>> calls) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<SubmitResult>> futures = calls.stream().map(call -> pool.submit(() -> {
            start.await();
            return call.call();
        })).toList();
        start.countDown();
        List<Object> outcomes = new ArrayList<>();
        for (Future<SubmitResult> f : futures) {
            try {
                outcomes.add(f.get());
            } catch (ExecutionException e) {
                outcomes.add(e.getCause());
            }
        }
        return outcomes;
    }

    @Test
    void concurrentSubmissionsOfOneKeyWithDifferentBodiesMakeOneTaskAndRefuseTheOthers() throws Exception {
        List<Callable<SubmitResult>> calls = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String body = "task " + (i % 3);
            calls.add(() -> service.submit("iam:alice", command(body, "key-1")));
        }

        List<Object> outcomes = atOnce(calls);

        List<SubmitResult> accepted = outcomes.stream().filter(SubmitResult.class::isInstance)
                .map(SubmitResult.class::cast).toList();
        assertThat(outcomes).allMatch(o -> o instanceof SubmitResult || o instanceof IdempotencyKeyReusedException);
        assertThat(accepted.stream().filter(r -> !r.replayed())).hasSize(1);
        String winner = accepted.stream().filter(r -> !r.replayed()).findFirst().orElseThrow().task().input();
        assertThat(accepted).allSatisfy(r -> assertThat(r.task().input()).isEqualTo(winner));
        assertThat(outcomes.stream().filter(IdempotencyKeyReusedException.class::isInstance)).hasSize(16);
        assertThat(tasks.size()).isEqualTo(1);
        assertThat(queue.sent()).containsExactly(TaskIds.forKey("iam:alice", "key-1"));
    }

    @Test
    void aReplayThatStoresTheTaskBeforeItsBinderDoesIsTheOneThatCreatedIt() throws Exception {
        CountDownLatch bound = new CountDownLatch(1);
        CountDownLatch replayed = new CountDownLatch(1);
        AtomicInteger binds = new AtomicInteger();
        IdempotencyStore slowBinder = (caller, key, candidate, now) -> {
            Optional<IdempotencyStore.KeyRecord> existing = keys.bindIfAbsent(caller, key, candidate, now);
            if (binds.incrementAndGet() == 1) {
                bound.countDown();
                await(replayed);   // the binder stalls between its binding and its task
            }
            return existing;
        };
        SubmitTaskService twoDayRetention = new SubmitTaskService(tasks, slowBinder, queue, clock, KEY_TTL, Duration.ofDays(2));
        SubmitResult first = twoDayRetention.submit("iam:alice", command("task", "key-1"));
        clock.advance(Duration.ofHours(36));
        binds.set(0);

        Future<SubmitResult> binder = pool.submit(() -> twoDayRetention.submit("iam:alice", command("another task", "key-1")));
        await(bound);
        SubmitResult replay = twoDayRetention.submit("iam:alice", command("another task", "key-1"));
        replayed.countDown();
        SubmitResult binderResult = binder.get(10, TimeUnit.SECONDS);

        assertThat(replay.replayed()).as("the replay stored and sent the task").isFalse();
        assertThat(binderResult.replayed()).isTrue();
        assertThat(binderResult.task().id()).isEqualTo(replay.task().id()).isNotEqualTo(first.task().id());
        assertThat(tasks.size()).isEqualTo(2);
        assertThat(queue.sent()).containsExactly(first.task().id(), replay.task().id());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void concurrentReusesOfAKeyWhoseBindingExpiredMakeOneNewTask() throws Exception {
        SubmitTaskService twoDayRetention = new SubmitTaskService(tasks, keys, queue, clock, KEY_TTL, Duration.ofDays(2));
        SubmitResult first = twoDayRetention.submit("iam:alice", command("task", "key-1"));
        clock.advance(Duration.ofHours(36));
        List<Callable<SubmitResult>> calls = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            calls.add(() -> twoDayRetention.submit("iam:alice", command("another task", "key-1")));
        }

        List<Object> outcomes = atOnce(calls);

        assertThat(outcomes).allMatch(SubmitResult.class::isInstance);
        Set<String> ids = outcomes.stream().map(o -> ((SubmitResult) o).task().id()).collect(Collectors.toSet());
        assertThat(ids).hasSize(1).doesNotContain(first.task().id());
        assertThat(outcomes.stream().filter(o -> !((SubmitResult) o).replayed())).hasSize(1);
        assertThat(tasks.size()).isEqualTo(2);
        assertThat(queue.sent()).containsExactly(first.task().id(), ids.iterator().next());
    }

    @Test
    void aKeyedTaskWhoseSubmissionDiedBetweenItsPutAndItsSendIsSentByAReplayAfterTheGrace() {
        SubmitCommand command = command("task", "key-1");
        String id = TaskIds.forKey("iam:alice", "key-1");
        Task stored = Task.pending(id, "iam:alice", "task", null, clock.instant(), clock.instant().plus(Duration.ofDays(7)));
        assertThat(tasks.createBound(stored, new IdempotencyStore.KeyRecord(id, command.fingerprint(), clock.instant(),
                clock.instant().plus(KEY_TTL)), clock.instant())).as("the put, then the crash").isEmpty();

        SubmitResult withinGrace = service.submit("iam:alice", command);
        assertThat(queue.sent()).as("its creator may still be sending it").isEmpty();
        clock.advance(SubmitTaskService.ENQUEUE_GRACE.plusSeconds(1));
        SubmitResult afterGrace = service.submit("iam:alice", command);
        service.submit("iam:alice", command);

        assertThat(withinGrace.task().id()).isEqualTo(id);
        assertThat(afterGrace.replayed()).isTrue();
        assertThat(afterGrace.task().id()).isEqualTo(id);
        assertThat(queue.sent()).as("sent once, by the first replay after the grace").containsExactly(id);
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefused() {
        service.submit("iam:alice", command("task one", "key-1"));

        assertThatThrownBy(() -> service.submit("iam:alice", command("task two", "key-1")))
                .isInstanceOf(IdempotencyKeyReusedException.class);
    }

    @Test
    void aKeyedTaskGetsTheIdDerivedFromCallerAndKeyAndItsReplayNeedsNoKeyItem() {
        SubmitResult first = service.submit("iam:alice", command("task", "key-1"));
        SubmitResult replay = service.submit("iam:alice", command("task", "key-1"));

        assertThat(first.task().id()).isEqualTo(TaskIds.forKey("iam:alice", "key-1"));
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.task().id()).isEqualTo(first.task().id());
        assertThat(keys.bindIfAbsent("iam:alice", "key-1", new IdempotencyStore.KeyRecord("probe", "fp", clock.instant(),
                clock.instant().plusSeconds(1)), clock.instant())).as("the key store was never written").isEmpty();
        assertThat(queue.sent()).containsExactly(first.task().id());
    }

    @Test
    void aKeyUsedAgainAfterItsBindingExpiredIsBoundAnewAndItsFirstTaskOutlivesThatBinding() {
        SubmitTaskService twoDayRetention = new SubmitTaskService(tasks, keys, queue, clock, KEY_TTL, Duration.ofDays(2));
        SubmitResult first = twoDayRetention.submit("iam:alice", command("task", "key-1"));
        clock.advance(Duration.ofHours(36));

        SubmitResult reused = twoDayRetention.submit("iam:alice", command("another task", "key-1"));
        SubmitResult replayOfReuse = twoDayRetention.submit("iam:alice", command("another task", "key-1"));

        assertThat(reused.replayed()).isFalse();
        assertThat(reused.task().id()).isNotEqualTo(first.task().id());
        assertThat(replayOfReuse.replayed()).isTrue();
        assertThat(replayOfReuse.task().id()).isEqualTo(reused.task().id());
        assertThat(tasks.find(first.task().id()).orElseThrow().expiresAt())
                .as("kept until the new binding ends, so the key's first id stays taken meanwhile")
                .isAfterOrEqualTo(clock.instant().plus(KEY_TTL));
        tasks.claim(reused.task().id(), "worker-1", clock.instant(), Duration.ofMinutes(1));   // its message arrived
        clock.advance(KEY_TTL.minusSeconds(60));
        assertThat(twoDayRetention.submit("iam:alice", command("another task", "key-1")).task().id())
                .isEqualTo(reused.task().id());
        assertThat(queue.sent()).containsExactly(first.task().id(), reused.task().id());
    }

    @Test
    void keysAreScopedPerCaller() {
        SubmitResult alice = service.submit("iam:alice", command("same task", "shared-key"));
        SubmitResult bob = service.submit("iam:bob", command("same task", "shared-key"));

        assertThat(bob.replayed()).isFalse();
        assertThat(bob.task().id()).isNotEqualTo(alice.task().id());
        assertThat(bob.task().owner()).isEqualTo("iam:bob");
    }

    @Test
    void anExpiredKeyStartsANewTask() {
        SubmitResult first = service.submit("iam:alice", command("task", "key-1"));
        clock.advance(KEY_TTL.plusSeconds(1));

        SubmitResult second = service.submit("iam:alice", command("another task", "key-1"));

        assertThat(second.replayed()).isFalse();
        assertThat(second.task().id()).isNotEqualTo(first.task().id());
    }

    @Test
    void aFailedSendLeavesTheTaskStoredAndDueForTheReconcilerAtOnce() {
        queue.refuse(true);

        SubmitResult result = service.submit("iam:alice", command("task", null));

        assertThat(tasks.find(result.task().id())).isPresent();
        assertThat(tasks.findDue(clock.instant(), 10)).extracting(due -> due.taskId())
                .containsExactly(result.task().id());
    }

    @Test
    void aReplayEnqueuesATaskWhoseFirstSubmissionNeverSentIt() {
        queue.refuse(true);
        SubmitResult first = service.submit("iam:alice", command("task", "key-1"));
        queue.refuse(false);

        SubmitResult tooSoon = service.submit("iam:alice", command("task", "key-1"));
        assertThat(queue.sent()).as("the first submission holds the send claim for a while").isEmpty();
        clock.advance(SubmitTaskService.ENQUEUE_GRACE.plusSeconds(1));
        SubmitResult replay = service.submit("iam:alice", command("task", "key-1"));
        SubmitResult again = service.submit("iam:alice", command("task", "key-1"));

        assertThat(tooSoon.replayed()).isTrue();
        assertThat(replay.replayed()).isTrue();
        assertThat(again.task().id()).isEqualTo(first.task().id());
        assertThat(queue.sent()).containsExactly(first.task().id());
    }

    @Test
    void aReplayNeverReRunsATaskPastItsRetention() {
        SubmitTaskService shortRetention = new SubmitTaskService(tasks, keys, queue, clock, KEY_TTL, Duration.ofHours(1));
        SubmitResult first = shortRetention.submit("iam:alice", command("task", "key-1"));
        clock.advance(Duration.ofHours(2));

        assertThatThrownBy(() -> shortRetention.submit("iam:alice", command("task", "key-1")))
                .isInstanceOf(TaskExpiredException.class);
        assertThat(queue.sent()).containsExactly(first.task().id());
    }
}
