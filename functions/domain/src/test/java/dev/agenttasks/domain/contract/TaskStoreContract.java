package dev.agenttasks.domain.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.port.CallbackAttempt;
import dev.agenttasks.domain.port.CancelRequest;
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.domain.port.LiveTaskIndex;
import dev.agenttasks.domain.port.LiveTaskIndex.DueTask;
import dev.agenttasks.domain.port.LiveTaskIndex.UnleasedFailure;
import dev.agenttasks.domain.port.TaskPage;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Callback;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.TokenUsage;

/**
 * What every task store must do: the conditional writes of docs/reliability.md and the reconciler's index.
 * Run against the in-memory fake and the DynamoDB adapter, so the domain's tests on the fake mean something.
 */
public abstract class TaskStoreContract {

    /** A store: both views of one fresh, empty table. */
    public record Store(TaskRepository repository, LiveTaskIndex index) {
    }

    protected static final Duration LEASE = Duration.ofSeconds(60);
    protected final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private TaskRepository repository;
    private LiveTaskIndex index;

    protected abstract Store newStore();

    @BeforeEach
    void createStore() {
        Store store = newStore();
        repository = store.repository();
        index = store.index();
    }

    private Task stored() {
        Task task = Task.pending(TaskIds.newId(), "iam:alice", "What is DynamoDB?", null, now, now.plus(Duration.ofDays(7)));
        assertThat(repository.createIfAbsent(task)).isEmpty();
        return task;
    }

    private Task current(Task task) {
        return repository.find(task.id()).orElseThrow();
    }

    private static TaskOutcome outcome() {
        return new TaskOutcome("llama-3.1-8b-instant", "An answer", new TokenUsage(12, 34), new BigDecimal("0.00000332"), 812);
    }

    private IdempotencyStore.KeyRecord binding(Task task, String fingerprint, Instant expiresAt) {
        return new IdempotencyStore.KeyRecord(task.id(), fingerprint, task.createdAt(), expiresAt);
    }

    @Test
    void aKeyedCreateIsOneConditionalWriteAndTheLoserLearnsTheTaskAndItsBinding() {
        Instant retained = now.truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofDays(7));
        Task task = Task.pending(TaskIds.forKey("iam:alice", "k"), "iam:alice", "What is DynamoDB?", null, now, retained);
        Task duplicate = Task.pending(task.id(), "iam:alice", "other body", null, now.plusSeconds(1), retained);

        assertThat(repository.createBound(task, binding(task, "fp-1", now.plus(Duration.ofDays(1))), now)).isEmpty();
        Optional<TaskRepository.BoundTask> lost = repository.createBound(duplicate,
                binding(duplicate, "fp-2", now.plus(Duration.ofDays(1))), now.plusSeconds(1));

        assertThat(lost).hasValueSatisfying(bound -> {
            assertThat(bound.task().input()).isEqualTo("What is DynamoDB?");
            assertThat(bound.binding()).hasValue(binding(task, "fp-1", now.plus(Duration.ofDays(1))));
        });
        assertThat(current(task).input()).isEqualTo("What is DynamoDB?");
        assertThat(index.findDue(now.plus(Duration.ofHours(1)), 10)).extracting(DueTask::taskId).containsExactly(task.id());
    }

    @Test
    void ofConcurrentKeyedCreatesOfOneIdExactlyOneWinsAndEveryLoserLearnsTheWinner() throws Exception {
        Instant retained = now.truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofDays(7));
        String id = TaskIds.forKey("iam:alice", "k");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<TaskRepository.BoundTask>>> attempts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Task task = Task.pending(id, "iam:alice", "body " + i, null, now, retained);
                attempts.add(pool.submit(() -> {
                    start.await();
                    return repository.createBound(task, binding(task, "fp-" + task.input(), now.plus(Duration.ofDays(1))), now);
                }));
            }
            start.countDown();
            List<Optional<TaskRepository.BoundTask>> outcomes = new ArrayList<>();
            for (Future<Optional<TaskRepository.BoundTask>> attempt : attempts) {
                outcomes.add(attempt.get());
            }

            assertThat(outcomes.stream().filter(Optional::isEmpty)).hasSize(1);
            Task winner = repository.find(id).orElseThrow();
            assertThat(outcomes.stream().flatMap(Optional::stream)).hasSize(7).allSatisfy(lost -> {
                assertThat(lost.task().input()).isEqualTo(winner.input());
                assertThat(lost.binding()).hasValueSatisfying(
                        b -> assertThat(b.fingerprint()).isEqualTo("fp-" + winner.input()));
            });
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aKeyedTaskPastItsRetentionAndItsBindingIsReplacedButNotBefore() {
        Instant retained = now.truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofDays(2));
        Task old = Task.pending(TaskIds.forKey("iam:alice", "k"), "iam:alice", "old", null, now, retained);
        repository.createBound(old, binding(old, "fp-1", now.plus(Duration.ofDays(1))), now);
        Instant later = retained.plusSeconds(1);
        Task fresh = Task.pending(old.id(), "iam:alice", "new", null, later, later.plus(Duration.ofDays(7)));

        assertThat(repository.createBound(fresh, binding(fresh, "fp-2", later.plus(Duration.ofDays(1))),
                retained.minusSeconds(1))).as("not yet past its retention").isPresent();
        assertThat(repository.createBound(fresh, binding(fresh, "fp-2", later.plus(Duration.ofDays(1))), later)).isEmpty();
        assertThat(current(fresh).input()).isEqualTo("new");
    }

    @Test
    void retainingATaskOnlyExtendsTheOneCreatedThen() {
        Instant retained = now.truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofDays(7));
        Task task = Task.pending(TaskIds.newId(), "iam:alice", "task", null, now, retained);
        repository.createIfAbsent(task);

        assertThat(repository.retainUntil(task.id(), now.minusSeconds(1), retained.plus(Duration.ofDays(1))))
                .as("another task's creation time").isFalse();
        assertThat(repository.retainUntil(task.id(), now, retained.minusSeconds(60))).as("never shortened").isFalse();
        assertThat(repository.retainUntil(task.id(), now, retained.plus(Duration.ofDays(1)))).isTrue();
        assertThat(current(task).expiresAt()).isEqualTo(retained.plus(Duration.ofDays(1)));
    }

    @Test
    void createIsConditionalAndReturnsTheExistingTask() {
        Task task = stored();
        Task impostor = Task.pending(task.id(), "iam:mallory", "other", null, now, now);

        assertThat(repository.createIfAbsent(impostor)).hasValueSatisfying(existing -> {
            assertThat(existing.owner()).isEqualTo("iam:alice");
            assertThat(existing.input()).isEqualTo("What is DynamoDB?");
        });
        assertThat(repository.find(task.id())).hasValueSatisfying(found -> {
            assertThat(found.status()).isEqualTo(TaskStatus.PENDING);
            assertThat(found.createdAt()).isEqualTo(now);
            assertThat(found.attempts()).isZero();
        });
    }

    @Test
    void claimLeasesAPendingTaskOnceAndCountsTheAttempt() {
        Task task = stored();

        Claim first = repository.claim(task.id(), "worker-1", now, LEASE);
        Claim second = repository.claim(task.id(), "worker-2", now.plusSeconds(1), LEASE);

        assertThat(first).isInstanceOfSatisfying(Claim.Claimed.class, claimed -> {
            assertThat(claimed.task().attempts()).isEqualTo(1);
            assertThat(claimed.task().leaseOwner()).isEqualTo("worker-1");
            assertThat(claimed.task().leaseExpiresAt()).isEqualTo(now.plus(LEASE));
            assertThat(claimed.task().status()).isEqualTo(TaskStatus.RUNNING);
        });
        assertThat(second).isInstanceOfSatisfying(Claim.Refused.class,
                refused -> assertThat(refused.task().leaseOwner()).isEqualTo("worker-1"));
    }

    @Test
    void claimOfAnUnknownTaskFindsNothing() {
        assertThat(repository.claim(TaskIds.newId(), "w", now, LEASE)).isInstanceOf(Claim.NotFound.class);
    }

    @Test
    void aReleasedTaskIsNotDueBeforeItsRetryTime() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);
        assertThat(repository.release(task.id(), "worker-1", now, now.plusSeconds(5))).isTrue();
        assertThat(current(task).nextAttemptAt()).contains(now.plusSeconds(5));

        Claim early = repository.claim(task.id(), "worker-2", now.plusSeconds(4), LEASE);
        Claim onTime = repository.claim(task.id(), "worker-2", now.plusSeconds(5), LEASE);

        assertThat(early).isInstanceOfSatisfying(Claim.NotDue.class,
                notDue -> assertThat(notDue.retryAt()).isEqualTo(now.plusSeconds(5)));
        assertThat(onTime).isInstanceOfSatisfying(Claim.Claimed.class,
                claimed -> assertThat(claimed.task().attempts()).isEqualTo(2));
        assertThat(current(task).nextAttemptAt()).isEmpty();
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheZombieCanNoLongerWrite() {
        Task task = stored();
        repository.claim(task.id(), "zombie", now, LEASE);

        Claim takeover = repository.claim(task.id(), "worker-2", now.plus(LEASE).plusMillis(1), LEASE);
        boolean zombieCompleted = repository.complete(task.id(), "zombie", outcome(), now.plus(LEASE));
        boolean zombieFailed = repository.fail(task.id(), "zombie", TaskError.deadLettered(), 1L, now.plus(LEASE));
        boolean zombieReleased = repository.release(task.id(), "zombie", now, now);
        boolean zombieRenewed = repository.renewLease(task.id(), "zombie", now, LEASE);
        boolean zombieCounted = repository.recordAttempt(task.id(), "zombie", now, LEASE);

        assertThat(takeover).isInstanceOfSatisfying(Claim.Claimed.class,
                claimed -> assertThat(claimed.task().attempts()).isEqualTo(2));
        assertThat(zombieCompleted).isFalse();
        assertThat(zombieFailed).isFalse();
        assertThat(zombieReleased).isFalse();
        assertThat(zombieRenewed).isFalse();
        assertThat(zombieCounted).isFalse();
        assertThat(current(task).status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(current(task).attempts()).isEqualTo(2);
    }

    @Test
    void completeRecordsTheOutcomeExactlyOnce() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        assertThat(repository.complete(task.id(), "worker-1", outcome(), now.plusSeconds(1))).isTrue();
        assertThat(repository.complete(task.id(), "worker-1", outcome(), now.plusSeconds(2))).isFalse();
        assertThat(repository.fail(task.id(), "worker-1", TaskError.deadLettered(), 1L, now)).isFalse();

        Task done = current(task);
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(done.result()).isEqualTo("An answer");
        assertThat(done.model()).isEqualTo("llama-3.1-8b-instant");
        assertThat(done.usage()).isEqualTo(new TokenUsage(12, 34));
        assertThat(done.costUsd()).isEqualByComparingTo("0.00000332");
        assertThat(done.durationMs()).isEqualTo(812);
        assertThat(done.leaseOwner()).isNull();
        assertThat(done.leaseExpiresAt()).isNull();
        assertThat(repository.claim(task.id(), "worker-3", now.plus(Duration.ofHours(1)), LEASE))
                .isInstanceOf(Claim.Refused.class);
    }

    @Test
    void failRecordsTheErrorAndDuration() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        assertThat(repository.fail(task.id(), "worker-1", TaskError.providerRejected("http_400"), 33L, now)).isTrue();

        Task failed = current(task);
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.error()).isEqualTo(TaskError.providerRejected("http_400"));
        assertThat(failed.durationMs()).isEqualTo(33L);
        assertThat(failed.leaseOwner()).isNull();
    }

    @Test
    void recordAttemptCountsAndRenewsOnlyForTheLeaseHolder() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        assertThat(repository.recordAttempt(task.id(), "worker-1", now.plusSeconds(10), LEASE)).isTrue();
        assertThat(repository.recordAttempt(task.id(), "other", now, LEASE)).isFalse();
        assertThat(current(task).attempts()).isEqualTo(2);
        assertThat(current(task).leaseExpiresAt()).isEqualTo(now.plusSeconds(10).plus(LEASE));
    }

    @Test
    void renewingALeaseKeepsATakeoverOut() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        assertThat(repository.renewLease(task.id(), "worker-1", now.plus(LEASE).minusSeconds(1), LEASE)).isTrue();

        assertThat(repository.claim(task.id(), "worker-2", now.plus(LEASE).plusSeconds(1), LEASE))
                .isInstanceOf(Claim.Refused.class);
        assertThat(current(task).attempts()).isEqualTo(1);
    }

    @Test
    void enqueueRightIsHeldByTheCreatorUntilItGoesStaleAndEndsOnceAWorkerReceivedAMessage() {
        Task task = stored();

        assertThat(repository.claimEnqueue(task.id(), now.plusSeconds(1), now.minusSeconds(30))).isFalse();
        assertThat(repository.claimEnqueue(task.id(), now.plusSeconds(31), now.plusSeconds(1))).isTrue();
        assertThat(repository.claimEnqueue(task.id(), now.plusSeconds(32), now.plusSeconds(2))).isFalse();
        assertThat(current(task).enqueuedAt()).as("a send is not recorded by a write of its own").isNull();

        assertThat(repository.claim(task.id(), "worker-1", now.plusSeconds(33), LEASE)).isInstanceOf(Claim.Claimed.class);
        assertThat(repository.release(task.id(), "worker-1", now.plusSeconds(34), now.plusSeconds(40))).isTrue();

        assertThat(repository.claimEnqueue(task.id(), now.plus(Duration.ofHours(1)), now.plus(Duration.ofMinutes(59))))
                .as("pending again, but a worker has had its message").isFalse();
        assertThat(current(task).enqueuedAt()).as("recorded by the first claim").isEqualTo(now.plusSeconds(33));
    }

    @Test
    void aNewTaskIsDueAfterTheRequeueInterval() {
        stored();

        assertThat(index.findDue(now.plus(Duration.ofHours(1)), 10)).singleElement()
                .satisfies(entry -> assertThat(entry.dueAt()).isEqualTo(now.plus(LiveTaskIndex.REQUEUE_AFTER)));
    }

    @Test
    void aLaterClaimKeepsTheFirstReceipt() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        repository.claim(task.id(), "worker-2", now.plus(LEASE).plusSeconds(1), LEASE);

        assertThat(current(task).enqueuedAt()).isEqualTo(now);
    }

    @Test
    void aFailedSendMakesANeverSentTaskDueAtOnce() {
        Task task = stored();

        repository.markSendFailed(task.id(), now.plusSeconds(1));

        assertThat(index.findDue(now.plusSeconds(1), 10)).extracting(DueTask::taskId).containsExactly(task.id());
    }

    @Test
    void aLateSendFailureNeverMovesAClaimedTasksDueTime() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        repository.markSendFailed(task.id(), now.plusSeconds(1));

        assertThat(index.findDue(now.plus(LEASE), 10)).singleElement()
                .satisfies(entry -> assertThat(entry.dueAt()).as("the lease expiry").isEqualTo(now.plus(LEASE)));
    }

    @Test
    void rescheduleMovesTheDueTimeOnlyFromTheOneSeen() {
        Task task = stored();
        Instant due = now.plus(LiveTaskIndex.REQUEUE_AFTER);

        assertThat(index.reschedule(task.id(), now, now.plusSeconds(5))).isFalse();
        assertThat(index.reschedule(task.id(), due, now.plusSeconds(5))).isTrue();
        assertThat(index.findDue(now.plusSeconds(5), 10)).extracting(DueTask::taskId).containsExactly(task.id());
    }

    @Test
    void theIndexHoldsOnlyLiveTasksEarliestDueFirst() {
        Task pending = stored();
        Task running = stored();
        repository.claim(running.id(), "w", now, LEASE);
        Task released = stored();
        repository.claim(released.id(), "w", now, LEASE);
        repository.release(released.id(), "w", now, now.plusSeconds(5));
        Task complete = stored();
        repository.claim(complete.id(), "w", now, LEASE);
        repository.complete(complete.id(), "w", outcome(), now);
        Task failed = stored();
        repository.claim(failed.id(), "w", now, LEASE);
        repository.fail(failed.id(), "w", TaskError.deadLettered(), null, now);
        Task abandoned = stored();
        index.failUnleased(abandoned.id(), TaskError.deadLettered(), now);

        assertThat(index.findDue(now.plus(Duration.ofDays(1)), 100)).extracting(DueTask::taskId)
                .containsExactly(running.id(), pending.id(), released.id());
        assertThat(index.findDue(now.plus(Duration.ofDays(1)), 2)).extracting(DueTask::taskId)
                .containsExactly(running.id(), pending.id());
        assertThat(index.findDue(now, 100)).as("nothing is due yet").isEmpty();
    }

    @Test
    void aRedriveIsClaimedOnceFromTheDueTimeSeenAndRecordedWithoutMovingIt() {
        Task task = stored();
        Instant due = now.plus(LiveTaskIndex.REQUEUE_AFTER);
        Instant runAt = due.plusSeconds(1);
        Instant next = runAt.plus(LiveTaskIndex.REQUEUE_AFTER);

        assertThat(index.claimRedrive(task.id(), due, runAt, next)).isTrue();
        assertThat(index.claimRedrive(task.id(), due, runAt, next)).as("another run saw the same due time").isFalse();
        index.markRedriven(task.id(), next, runAt);

        assertThat(index.findDue(next, 10)).singleElement().satisfies(entry -> {
            assertThat(entry.dueAt()).isEqualTo(next);
            assertThat(entry.enqueuedAt()).isEqualTo(runAt);
        });
    }

    @Test
    void aLiveLeaseIsNeverRedrivenButAnExpiredOneIs() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        assertThat(index.claimRedrive(task.id(), now.plus(LEASE), now.plus(LEASE).minusSeconds(1), now.plus(Duration.ofHours(1))))
                .isFalse();
        assertThat(index.claimRedrive(task.id(), now.plus(LEASE), now.plus(LEASE).plusSeconds(1), now.plus(Duration.ofHours(1))))
                .isTrue();
    }

    @Test
    void failUnleasedFailsOnlyWhatNobodyWorksOn() {
        Task pending = stored();
        Task leased = stored();
        repository.claim(leased.id(), "worker-1", now, LEASE);
        Task complete = stored();
        repository.claim(complete.id(), "worker-1", now, LEASE);
        repository.complete(complete.id(), "worker-1", outcome(), now);

        assertThat(index.failUnleased(pending.id(), TaskError.deadLettered(), now)).isEqualTo(UnleasedFailure.FAILED);
        assertThat(index.failUnleased(leased.id(), TaskError.deadLettered(), now)).isEqualTo(UnleasedFailure.LEASED);
        assertThat(index.failUnleased(leased.id(), TaskError.deadLettered(), now.plus(LEASE).plusSeconds(1)))
                .isEqualTo(UnleasedFailure.FAILED);
        assertThat(index.failUnleased(complete.id(), TaskError.deadLettered(), now))
                .isEqualTo(UnleasedFailure.ALREADY_TERMINAL);
        assertThat(index.failUnleased(TaskIds.newId(), TaskError.deadLettered(), now))
                .isEqualTo(UnleasedFailure.NOT_FOUND);
        assertThat(current(pending).error()).isEqualTo(TaskError.deadLettered());
        assertThat(current(complete).status()).isEqualTo(TaskStatus.COMPLETE);
    }

    private Task storedBy(String owner, Instant createdAt) {
        Task task = Task.pending(TaskIds.newId(), owner, "t", null, createdAt, createdAt.plus(Duration.ofDays(7)));
        assertThat(repository.createIfAbsent(task)).isEmpty();
        return task;
    }

    @Test
    void aCallersTasksAreListedNewestFirstPageByPageAndNobodyElses() {
        List<String> alices = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alices.add(0, storedBy("iam:alice", now.plusSeconds(i)).id());
            storedBy("iam:bob", now.plusSeconds(i));
        }

        TaskPage first = repository.listOwned("iam:alice", Optional.empty(), 2, Optional.empty());
        TaskPage second = repository.listOwned("iam:alice", Optional.empty(), 2, first.next());
        TaskPage third = repository.listOwned("iam:alice", Optional.empty(), 2, second.next());

        assertThat(first.tasks()).extracting(Task::id).containsExactlyElementsOf(alices.subList(0, 2));
        assertThat(second.tasks()).extracting(Task::id).containsExactlyElementsOf(alices.subList(2, 4));
        assertThat(third.tasks()).extracting(Task::id).containsExactlyElementsOf(alices.subList(4, 5));
        assertThat(first.next()).isPresent();
        assertThat(third.next()).isEmpty();
        assertThat(repository.listOwned("iam:carol", Optional.empty(), 10, Optional.empty()))
                .isEqualTo(new TaskPage(List.of(), Optional.empty()));
    }

    @Test
    void aStatusFilterKeepsOnlyThatStatusAcrossPages() {
        List<String> running = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Task task = storedBy("iam:alice", now.plusSeconds(i));
            if (i % 2 == 0) {
                repository.claim(task.id(), "w", now.plusSeconds(10), LEASE);
                running.add(0, task.id());
            }
        }

        List<String> listed = new ArrayList<>();
        Optional<TaskPage.Position> next = Optional.empty();
        int pages = 0;
        do {
            TaskPage page = repository.listOwned("iam:alice", Optional.of(TaskStatus.RUNNING), 2, next);
            page.tasks().forEach(task -> assertThat(task.status()).isEqualTo(TaskStatus.RUNNING));
            page.tasks().forEach(task -> listed.add(task.id()));
            next = page.next();
        } while (next.isPresent() && ++pages < 10);

        assertThat(listed).containsExactlyElementsOf(running);
    }

    @Test
    void aPendingTaskIsCancelledAtOnceAndLeavesTheIndex() {
        Task task = stored();

        CancelRequest request = repository.requestCancel(task.id(), "iam:alice", now);

        assertThat(request).isInstanceOfSatisfying(CancelRequest.Cancelled.class,
                cancelled -> assertThat(cancelled.task().status()).isEqualTo(TaskStatus.CANCELLED));
        assertThat(current(task).status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(index.findDue(now.plus(Duration.ofDays(1)), 10)).isEmpty();
        assertThat(repository.claim(task.id(), "worker-1", now, LEASE)).isInstanceOf(Claim.Refused.class);
        assertThat(repository.requestCancel(task.id(), "iam:alice", now))
                .isInstanceOf(CancelRequest.AlreadyFinished.class);
    }

    @Test
    void aRunningTasksWorkerFindsEveryFencedWriteRefusedAndCancelsItOnce() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        CancelRequest request = repository.requestCancel(task.id(), "iam:alice", now.plusSeconds(1));

        assertThat(request).isInstanceOfSatisfying(CancelRequest.Requested.class,
                requested -> assertThat(requested.task().cancelRequested()).contains(now.plusSeconds(1)));
        assertThat(repository.renewLease(task.id(), "worker-1", now.plusSeconds(2), LEASE)).isFalse();
        assertThat(repository.recordAttempt(task.id(), "worker-1", now.plusSeconds(2), LEASE)).isFalse();
        assertThat(repository.complete(task.id(), "worker-1", outcome(), now.plusSeconds(2))).isFalse();
        assertThat(repository.release(task.id(), "worker-1", now.plusSeconds(2), now.plusSeconds(9))).isFalse();
        assertThat(repository.cancelIfRequested(task.id(), "zombie", now.plusSeconds(2))).isFalse();
        assertThat(repository.cancelIfRequested(task.id(), "worker-1", now.plusSeconds(2))).isTrue();
        assertThat(repository.cancelIfRequested(task.id(), "worker-1", now.plusSeconds(3))).isFalse();

        Task cancelled = current(task);
        assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(cancelled.result()).isNull();
        assertThat(cancelled.leaseOwner()).isNull();
        assertThat(index.findDue(now.plus(Duration.ofDays(1)), 10)).isEmpty();
    }

    @Test
    void onlyTheOwnerCanCancelAndNothingFinishedIsCancelled() {
        Task task = stored();
        Task complete = stored();
        repository.claim(complete.id(), "w", now, LEASE);
        repository.complete(complete.id(), "w", outcome(), now);

        assertThat(repository.requestCancel(task.id(), "iam:mallory", now)).isInstanceOf(CancelRequest.NotFound.class);
        assertThat(repository.requestCancel(TaskIds.newId(), "iam:alice", now)).isInstanceOf(CancelRequest.NotFound.class);
        assertThat(repository.requestCancel(complete.id(), "iam:alice", now))
                .isInstanceOfSatisfying(CancelRequest.AlreadyFinished.class,
                        finished -> assertThat(finished.task().status()).isEqualTo(TaskStatus.COMPLETE));
        assertThat(current(task).status()).isEqualTo(TaskStatus.PENDING);
        assertThat(repository.cancelIfRequested(task.id(), "w", now)).isFalse();
    }

    private Task storedWithCallback() {
        Task task = new Task.Builder(TaskIds.newId(), "iam:alice", "What is DynamoDB?", now)
                .expiresAt(now.plus(Duration.ofDays(7))).callbackUrl("https://hooks.example.com/agent-tasks?x=1").build();
        assertThat(repository.createIfAbsent(task)).isEmpty();
        return task;
    }

    private Task finished(Task task) {
        repository.claim(task.id(), "worker-1", now, LEASE);
        assertThat(repository.complete(task.id(), "worker-1", outcome(), now.plusSeconds(1))).isTrue();
        return current(task);
    }

    @Test
    void theCallbackUrlIsStoredAndAFinishedTasksWebhookIsOwedOnceAndIndexed() {
        Task task = storedWithCallback();
        assertThat(current(task).callbackUrl()).isEqualTo("https://hooks.example.com/agent-tasks?x=1");
        assertThat(current(task).callback()).isNull();
        assertThat(repository.markCallbackOwed(task.id(), now.plusSeconds(5))).as("not finished yet").isFalse();

        finished(task);
        Instant dueAt = now.plusSeconds(900);

        assertThat(repository.markCallbackOwed(task.id(), dueAt)).isTrue();
        assertThat(repository.markCallbackOwed(task.id(), dueAt)).as("owed once").isFalse();
        assertThat(current(task).callback()).isEqualTo(new Callback(Callback.Status.PENDING, 0, null, null));
        assertThat(current(task).status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(index.findDue(dueAt, 10)).extracting(DueTask::taskId, DueTask::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(task.id(), TaskStatus.COMPLETE));
    }

    @Test
    void aTaskWithoutACallbackUrlOwesNoWebhook() {
        Task task = finished(stored());

        assertThat(repository.markCallbackOwed(task.id(), now.plusSeconds(900))).isFalse();
        assertThat(current(task).callback()).isNull();
        assertThat(index.findDue(now.plus(Duration.ofDays(1)), 10)).isEmpty();
    }

    @Test
    void deliveriesAreCountedAndASettledWebhookLeavesTheIndexAndTakesNoMoreAttempts() {
        Task task = finished(storedWithCallback());
        repository.markCallbackOwed(task.id(), now.plusSeconds(900));
        Instant next = now.plusSeconds(10);

        assertThat(repository.recordCallbackAttempt(task.id(),
                new CallbackAttempt.Retrying("http_500", next, next.plusSeconds(900)), now)).isTrue();
        assertThat(current(task).callback()).isEqualTo(new Callback(Callback.Status.PENDING, 1, "http_500", next));
        assertThat(index.findDue(next.plusSeconds(900), 10)).extracting(DueTask::dueAt)
                .containsExactly(next.plusSeconds(900));

        assertThat(repository.recordCallbackAttempt(task.id(), new CallbackAttempt.Delivered(), next)).isTrue();
        assertThat(current(task).callback()).isEqualTo(new Callback(Callback.Status.DELIVERED, 2, "http_500", null));
        assertThat(index.findDue(now.plus(Duration.ofDays(1)), 10)).isEmpty();
        assertThat(repository.recordCallbackAttempt(task.id(), new CallbackAttempt.GaveUp("timeout", true), next))
                .as("settled").isFalse();
        assertThat(repository.markCallbackOwed(task.id(), now.plusSeconds(900))).isFalse();
    }

    @Test
    void aGiveUpWithoutACallDoesNotCountAnAttempt() {
        Task task = finished(storedWithCallback());
        repository.markCallbackOwed(task.id(), now.plusSeconds(900));

        assertThat(repository.recordCallbackAttempt(task.id(), new CallbackAttempt.GaveUp("expired", false), now)).isTrue();

        assertThat(current(task).callback()).isEqualTo(new Callback(Callback.Status.FAILED, 0, "expired", null));
        assertThat(index.findDue(now.plus(Duration.ofDays(1)), 10)).isEmpty();
    }

    @Test
    void anOwedWebhooksRedriveIsClaimedOnceFromTheDueTimeSeen() {
        Task task = finished(storedWithCallback());
        Instant dueAt = now.plusSeconds(900);
        repository.markCallbackOwed(task.id(), dueAt);

        assertThat(repository.claimCallbackRedrive(task.id(), dueAt.minusSeconds(1), dueAt.plusSeconds(900))).isFalse();
        assertThat(repository.claimCallbackRedrive(task.id(), dueAt, dueAt.plusSeconds(900))).isTrue();
        assertThat(repository.claimCallbackRedrive(task.id(), dueAt, dueAt.plusSeconds(900))).isFalse();
        assertThat(index.findDue(dueAt.plusSeconds(900), 10)).extracting(DueTask::dueAt)
                .containsExactly(dueAt.plusSeconds(900));
    }

    @Test
    void aCancelledTaskOwesItsWebhookToo() {
        Task task = storedWithCallback();
        assertThat(repository.requestCancel(task.id(), "iam:alice", now)).isInstanceOf(CancelRequest.Cancelled.class);

        assertThat(repository.markCallbackOwed(task.id(), now.plusSeconds(900))).isTrue();
        assertThat(current(task).callbackUrl()).isNotNull();
    }
}
