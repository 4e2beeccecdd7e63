package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.task.TokenUsage;
import dev.agenttasks.domain.port.LiveTaskIndex;
import dev.agenttasks.domain.port.TaskRepository.ClaimResult;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TaskStatus;

class DynamoDbTaskRepositoryIT {

    private static final Duration LEASE = Duration.ofSeconds(60);
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private DynamoDbTaskRepository repository;

    @BeforeEach
    void setUp() {
        Config settings = Config.of(MotoEnvironment.fresh());
        repository = new DynamoDbTaskRepository(new AwsClients(settings).dynamoDb(), settings.tasksTable());
    }

    private Task stored() {
        Task task = Task.pending(TaskIds.newId(), "iam:alice", "What is DynamoDB?", null, now, now.plus(Duration.ofDays(7)));
        assertThat(repository.createIfAbsent(task)).isEmpty();
        return task;
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
            assertThat(found.expiresAt()).isEqualTo(now.plus(Duration.ofDays(7)).truncatedTo(ChronoUnit.SECONDS));
        });
    }

    @Test
    void claimLeasesAPendingTaskOnceAndCountsTheAttempt() {
        Task task = stored();

        ClaimResult first = repository.claim(task.id(), "worker-1", now, LEASE);
        ClaimResult second = repository.claim(task.id(), "worker-2", now.plusSeconds(1), LEASE);

        assertThat(first.claimed()).isTrue();
        assertThat(first.task().orElseThrow().attempts()).isEqualTo(1);
        assertThat(first.task().orElseThrow().leaseOwner()).isEqualTo("worker-1");
        assertThat(second.claimed()).isFalse();
        assertThat(second.task().orElseThrow().leaseOwner()).isEqualTo("worker-1");
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheZombieCanNoLongerWrite() {
        Task task = stored();
        repository.claim(task.id(), "zombie", now, LEASE);

        ClaimResult takeover = repository.claim(task.id(), "worker-2", now.plus(LEASE).plusMillis(1), LEASE);
        boolean zombieCompleted = repository.complete(task.id(), "zombie",
                new TaskOutcome("m", "stale", new TokenUsage(1, 1), BigDecimal.ONE, 5), now.plus(LEASE));
        boolean zombieFailed = repository.fail(task.id(), "zombie", new TaskError("x", "y"), 1L, now.plus(LEASE));
        boolean zombieReleased = repository.release(task.id(), "zombie", now, now);

        assertThat(takeover.claimed()).isTrue();
        assertThat(takeover.task().orElseThrow().attempts()).isEqualTo(2);
        assertThat(zombieCompleted).isFalse();
        assertThat(zombieFailed).isFalse();
        assertThat(zombieReleased).isFalse();
        assertThat(repository.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.RUNNING);
    }

    @Test
    void completeRecordsTheOutcomeExactlyOnce() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);
        TaskOutcome outcome = new TaskOutcome("llama-3.1-8b-instant", "An answer", new TokenUsage(12, 34),
                new BigDecimal("0.00000332"), 812);

        assertThat(repository.complete(task.id(), "worker-1", outcome, now.plusSeconds(1))).isTrue();
        assertThat(repository.complete(task.id(), "worker-1", outcome, now.plusSeconds(2))).isFalse();
        assertThat(repository.fail(task.id(), "worker-1", new TaskError("late", "late"), 1L, now)).isFalse();

        Task done = repository.find(task.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(done.result()).isEqualTo("An answer");
        assertThat(done.model()).isEqualTo("llama-3.1-8b-instant");
        assertThat(done.usage()).isEqualTo(new TokenUsage(12, 34));
        assertThat(done.costUsd()).isEqualByComparingTo("0.00000332");
        assertThat(done.durationMs()).isEqualTo(812);
        assertThat(done.leaseOwner()).isNull();
        assertThat(repository.claim(task.id(), "worker-3", now.plus(Duration.ofHours(1)), LEASE).claimed()).isFalse();
    }

    @Test
    void releaseReturnsTheTaskToPendingForTheNextClaim() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        assertThat(repository.release(task.id(), "worker-1", now, now.plusSeconds(5))).isTrue();
        ClaimResult again = repository.claim(task.id(), "worker-2", now.plusSeconds(5), LEASE);

        assertThat(again.claimed()).isTrue();
        assertThat(again.task().orElseThrow().attempts()).isEqualTo(2);
    }

    @Test
    void recordAttemptCountsOnlyForTheLeaseHolder() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        assertThat(repository.recordAttempt(task.id(), "worker-1", now, LEASE)).isTrue();
        assertThat(repository.recordAttempt(task.id(), "other", now, LEASE)).isFalse();
        assertThat(repository.find(task.id()).orElseThrow().attempts()).isEqualTo(2);
    }

    @Test
    void enqueueRightIsHeldByTheCreatorUntilItGoesStale() {
        Task task = stored();

        assertThat(repository.claimEnqueue(task.id(), now.plusSeconds(1), now.minusSeconds(30))).isFalse();
        assertThat(repository.claimEnqueue(task.id(), now.plusSeconds(31), now.plusSeconds(1))).isTrue();
        assertThat(repository.claimEnqueue(task.id(), now.plusSeconds(32), now.plusSeconds(2))).isFalse();
        repository.markEnqueued(task.id(), now.plusSeconds(33));
        assertThat(repository.claimEnqueue(task.id(), now.plus(Duration.ofHours(1)), now.plus(Duration.ofMinutes(59)))).isFalse();
        assertThat(repository.find(task.id()).orElseThrow().enqueuedAt()).isEqualTo(now.plusSeconds(33));
    }

    @Test
    void aNewTaskIsDueAfterTheRequeueIntervalAndRecordingItsSendLeavesThat() {
        Task task = stored();
        Instant later = now.plus(Duration.ofHours(1));
        assertThat(repository.findDue(later, 10)).singleElement()
                .satisfies(entry -> assertThat(entry.dueAt()).isEqualTo(now.plus(LiveTaskIndex.REQUEUE_AFTER)));

        repository.markEnqueued(task.id(), now.plusSeconds(1));
        repository.markSendFailed(task.id(), now.plusSeconds(2));

        assertThat(repository.findDue(later, 10)).singleElement().satisfies(entry -> {
            assertThat(entry.enqueuedAt()).isEqualTo(now.plusSeconds(1));
            assertThat(entry.dueAt()).as("a sent task is not made due by a late failure report")
                    .isEqualTo(now.plus(LiveTaskIndex.REQUEUE_AFTER));
        });
    }

    @Test
    void aFailedSendMakesANeverSentTaskDueAtOnce() {
        Task task = stored();

        repository.markSendFailed(task.id(), now.plusSeconds(1));

        assertThat(repository.findDue(now.plusSeconds(1), 10)).extracting(LiveTaskIndex.DueTask::taskId)
                .containsExactly(task.id());
    }

    @Test
    void recordingASendNeverMovesAClaimedTasksDueTime() {
        Task task = stored();
        repository.claim(task.id(), "worker-1", now, LEASE);

        repository.markEnqueued(task.id(), now.plusSeconds(1));
        repository.markSendFailed(task.id(), now.plusSeconds(1));

        assertThat(repository.findDue(now.plus(LEASE), 10)).singleElement()
                .satisfies(entry -> assertThat(entry.dueAt()).as("the lease expiry").isEqualTo(now.plus(LEASE)));
    }

    @Test
    void rescheduleMovesTheDueTimeOnlyFromTheOneSeen() {
        Task task = stored();
        Instant due = now.plus(LiveTaskIndex.REQUEUE_AFTER);

        assertThat(repository.reschedule(task.id(), now, now.plusSeconds(5))).isFalse();
        assertThat(repository.reschedule(task.id(), due, now.plusSeconds(5))).isTrue();
        assertThat(repository.findDue(now.plusSeconds(5), 10)).extracting(LiveTaskIndex.DueTask::taskId)
                .containsExactly(task.id());
    }

    @Test
    void claimOfAnUnknownTaskIsRefusedWithNothing() {
        assertThat(repository.claim(TaskIds.newId(), "w", now, LEASE)).isEqualTo(ClaimResult.refused(java.util.Optional.empty()));
    }
}
