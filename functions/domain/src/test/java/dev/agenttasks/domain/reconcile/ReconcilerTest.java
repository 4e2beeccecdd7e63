package dev.agenttasks.domain.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.fakes.InMemoryDeadLetterQueue;
import dev.agenttasks.domain.fakes.InMemoryTaskQueue;
import dev.agenttasks.domain.fakes.InMemoryTaskStore;
import dev.agenttasks.domain.fakes.MutableClock;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.TokenUsage;

/** The reconciler on in-memory ports, its clock moved by the test. */
class ReconcilerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration MAX_AGE = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(T0);
    private final List<String> metricLines = new ArrayList<>();
    private final InMemoryTaskStore tasks = new InMemoryTaskStore();
    private final InMemoryTaskQueue queue = new InMemoryTaskQueue();
    private final InMemoryDeadLetterQueue deadLetters = new InMemoryDeadLetterQueue();
    private Reconciler reconciler = new Reconciler(tasks, queue, Optional.of(deadLetters),
            new Metrics("reconciler", metricLines::add, clock), clock, Reconciler.Options.of(MAX_AGE));

    private Task stored() {
        Task task = Task.pending(TaskIds.newId(), "iam:alice", "Summarise the incident", null, clock.instant(),
                clock.instant().plus(Duration.ofDays(7)));
        assertThat(tasks.createIfAbsent(task)).isEmpty();
        return task;
    }

    private Task current(Task task) {
        return tasks.find(task.id()).orElseThrow();
    }

    private Reconciler.Summary runAt(Duration sinceT0) {
        clock.set(T0.plus(sinceT0));
        return reconciler.run();
    }

    @Test
    void aTaskWhoseSendFailedGetsItsMessageOnTheNextRun() {
        Task task = stored();
        tasks.markSendFailed(task.id(), T0);   // what the submission does when SendMessage fails

        Reconciler.Summary summary = runAt(Duration.ofMinutes(1));

        assertThat(summary.enqueued()).isEqualTo(1);
        assertThat(queue.drain()).containsExactly(task.id());
        assertThat(current(task).enqueuedAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(current(task).status()).isEqualTo(TaskStatus.PENDING);
        assertThat(runAt(Duration.ofMinutes(15)).enqueued()).as("the message is in flight").isZero();
        assertThat(runAt(Duration.ofMinutes(17)).enqueued()).as("15 min after the re-send, still not picked up")
                .isEqualTo(1);
        assertThat(queue.drain()).containsExactly(task.id());
    }

    @Test
    void aTaskStoredButNeverSentGetsItsMessageAfterTheRequeueInterval() {
        Task task = stored();   // the submission died between its put and its send: nothing recorded

        assertThat(runAt(Duration.ofMinutes(14)).enqueued()).isZero();
        assertThat(runAt(Duration.ofMinutes(16)).enqueued()).isEqualTo(1);
        assertThat(queue.drain()).containsExactly(task.id());
    }

    @Test
    void aSentTaskIsLeftAloneUntilItsMessageIsLongOverdue() {
        Task task = stored();   // sent or not: a send is not recorded, and the reconciler treats both alike

        assertThat(runAt(Duration.ofMinutes(10)).due()).as("not even read").isZero();
        assertThat(queue.drain()).isEmpty();
        assertThat(runAt(Duration.ofMinutes(16)).enqueued()).isEqualTo(1);
        assertThat(queue.drain()).containsExactly(task.id());
    }

    @Test
    void aRedriveWhoseSendFailsIsDueAgainSoon() {
        Task task = stored();
        tasks.markSendFailed(task.id(), T0);
        queue.refuse(true);
        clock.set(T0.plus(Duration.ofMinutes(1)));

        assertThat(reconciler.run().errors()).isEqualTo(1);

        queue.refuse(false);
        assertThat(runAt(Duration.ofMinutes(2)).enqueued()).as("not yet: due 2 min after the failed send").isZero();
        assertThat(runAt(Duration.ofMinutes(3)).enqueued()).isEqualTo(1);
        assertThat(queue.drain()).containsExactly(task.id());
    }

    @Test
    void aRunningTaskWhoseLeaseExpiredIsSentAgainForATakeover() {
        Task task = stored();
        assertThat(tasks.claim(task.id(), "died", T0, LEASE)).isInstanceOf(Claim.Claimed.class);

        assertThat(runAt(Duration.ofSeconds(30)).leasesRedriven()).as("the lease is live").isZero();
        assertThat(queue.drain()).isEmpty();

        Reconciler.Summary summary = runAt(LEASE.plusSeconds(1));

        assertThat(summary.leasesRedriven()).isEqualTo(1);
        assertThat(queue.drain()).containsExactly(task.id());
        assertThat(current(task).status()).isEqualTo(TaskStatus.RUNNING);
        // The worker that receives the message takes the task over; the index then follows the new lease.
        assertThat(tasks.claim(task.id(), "next", clock.instant(), LEASE)).isInstanceOf(Claim.Claimed.class);
        assertThat(runAt(LEASE.plusSeconds(30)).leasesRedriven()).isZero();
        assertThat(queue.drain()).isEmpty();
    }

    @Test
    void tasksPastTheirDeadlineThatNoWorkerHoldsAreFailed() {
        Task pending = stored();
        Task abandoned = stored();
        assertThat(tasks.claim(abandoned.id(), "died", T0.plus(Duration.ofMinutes(30)), LEASE))
                .isInstanceOf(Claim.Claimed.class);

        Reconciler.Summary summary = runAt(MAX_AGE.plusMinutes(1));

        assertThat(summary.deadlineFailed()).isEqualTo(2);
        for (Task task : List.of(pending, abandoned)) {
            Task failed = current(task);
            assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(failed.error()).isEqualTo(TaskError.deadlineExceeded(MAX_AGE, Optional.empty()));
            assertThat(failed.leaseOwner()).isNull();
        }
        assertThat(queue.drain()).isEmpty();
        assertThat(tasks.indexed()).isEmpty();
    }

    @Test
    void aLiveWorkerPastTheDeadlineIsLeftToFailTheTaskItself() {
        Task task = stored();
        clock.set(T0.plus(MAX_AGE).minusSeconds(10));
        tasks.claim(task.id(), "working", clock.instant(), LEASE);

        Reconciler.Summary summary = runAt(MAX_AGE.plusSeconds(30));

        assertThat(summary.deadlineFailed()).isZero();
        assertThat(summary.due()).as("due only when its lease ends").isZero();
        assertThat(current(task).status()).isEqualTo(TaskStatus.RUNNING);
    }

    @Test
    void aDeadLetteredMessageFailsItsTaskAndLeavesTheQueueEmpty() {
        Task task = stored();
        deadLetters.add(TaskMessages.body(task.id()));
        deadLetters.add("not json at all");
        deadLetters.add(TaskMessages.body(TaskIds.newId()));

        Reconciler.Summary summary = runAt(Duration.ofMinutes(1));

        assertThat(summary.deadLettered()).isEqualTo(1);
        assertThat(summary.poisonMessages()).isEqualTo(2);
        assertThat(current(task).status()).isEqualTo(TaskStatus.FAILED);
        assertThat(current(task).error()).isEqualTo(TaskError.deadLettered());
        assertThat(deadLetters.size()).isZero();
        assertThat(String.join("\n", metricLines)).contains("\"DeadLetteredTasks\":1", "\"PoisonMessages\":2",
                "\"Namespace\":\"AgentTasks\"", "\"Reason\":\"dead_lettered\"");
    }

    @Test
    void aDeadLetteredMessageOfALiveLeasedTaskIsKeptForALaterRun() {
        Task task = stored();
        assertThat(tasks.claim(task.id(), "working", T0, LEASE)).isInstanceOf(Claim.Claimed.class);
        deadLetters.add(TaskMessages.body(task.id()));

        Reconciler.Summary summary = runAt(Duration.ofSeconds(10));

        assertThat(summary.deadLettered()).isZero();
        assertThat(current(task).status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(deadLetters.size()).isEqualTo(1);
    }

    @Test
    void aFinishedTaskIsNeverTouched() {
        Task complete = stored();
        tasks.claim(complete.id(), "w", T0, LEASE);
        tasks.complete(complete.id(), "w", new TaskOutcome("llama-3.1-8b-instant", "done", new TokenUsage(3, 4),
                BigDecimal.ONE, 10), T0.plusSeconds(1));
        Task failed = stored();
        tasks.claim(failed.id(), "w", T0, LEASE);
        tasks.fail(failed.id(), "w", TaskError.providerRejected("http_400"), 5L, T0.plusSeconds(1));
        Task completeBefore = current(complete);
        Task failedBefore = current(failed);
        deadLetters.add(TaskMessages.body(complete.id()));

        Reconciler.Summary summary = runAt(MAX_AGE.multipliedBy(3));

        assertThat(summary).isEqualTo(new Reconciler.Summary(0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(current(complete)).isEqualTo(completeBefore);
        assertThat(current(failed)).isEqualTo(failedBefore);
        assertThat(queue.drain()).isEmpty();
        assertThat(deadLetters.size()).as("accounted for, so deleted").isZero();
    }

    @Test
    void aRunIsBoundedAndTakesTheEarliestDueFirst() {
        List<Task> stuck = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            stuck.add(stored());
            clock.advance(Duration.ofSeconds(1));
        }
        reconciler = new Reconciler(tasks, queue, Optional.empty(), Metrics.discarding(), clock,
                new Reconciler.Options(MAX_AGE, 8, 0));

        Reconciler.Summary first = runAt(Duration.ofMinutes(20));
        List<String> firstSent = queue.drain();
        Reconciler.Summary second = runAt(Duration.ofMinutes(21));

        assertThat(first.enqueued()).isEqualTo(8);
        assertThat(firstSent).containsExactlyElementsOf(stuck.subList(0, 8).stream().map(Task::id).toList());
        assertThat(second.enqueued()).isEqualTo(4);
        assertThat(queue.drain()).containsExactlyElementsOf(stuck.subList(8, 12).stream().map(Task::id).toList());
    }

    @Test
    void aRunStopsTakingWorkWhenItsInvocationRunsOutOfTime() {
        for (int i = 0; i < 3; i++) {
            tasks.markSendFailed(stored().id(), T0);
        }
        clock.set(T0.plus(Duration.ofMinutes(1)));

        Reconciler.Summary summary = reconciler.run(() -> Reconciler.MIN_TIME_LEFT.minusMillis(1));

        assertThat(summary.due()).isEqualTo(3);
        assertThat(summary.enqueued()).isZero();
        assertThat(queue.sent()).isEmpty();
    }

    @Test
    void eachRunReportsHowLongTheLongestOpenBreakerHasBeenOpen() {
        reconciler = new Reconciler(tasks, queue, Optional.empty(), new Metrics("reconciler", metricLines::add, clock),
                clock, Reconciler.Options.of(MAX_AGE), Optional.of(() -> Duration.ofSeconds(930)));

        assertThat(reconciler.run().errors()).isZero();

        assertThat(metricLines).anySatisfy(line -> assertThat(line)
                .contains("\"LongestOpenBreakerSeconds\":930").contains("\"Unit\":\"Seconds\""));
    }

    @Test
    void aBreakerTableItCannotReadIsAnErrorOfTheRunNotASilentZero() {
        reconciler = new Reconciler(tasks, queue, Optional.empty(), new Metrics("reconciler", metricLines::add, clock),
                clock, Reconciler.Options.of(MAX_AGE), Optional.of(() -> {
                    throw new IllegalStateException("breaker table unreachable");
                }));

        assertThat(reconciler.run().errors()).isEqualTo(1);
        assertThat(metricLines).noneSatisfy(line -> assertThat(line).contains("LongestOpenBreakerSeconds"));
    }

    private final InMemoryTaskQueue webhooks = new InMemoryTaskQueue();

    private Reconciler withWebhooks() {
        return new Reconciler(tasks, queue, Optional.of(deadLetters), Metrics.discarding(), clock,
                Reconciler.Options.of(MAX_AGE), Optional.empty(),
                new dev.agenttasks.domain.callback.CallbackNotifier(tasks, Optional.of(webhooks), clock));
    }

    private Task storedWithCallback() {
        Task task = new Task.Builder(TaskIds.newId(), "iam:alice", "Summarise the incident", clock.instant())
                .expiresAt(clock.instant().plus(Duration.ofDays(7))).callbackUrl("https://hooks.example.com/t").build();
        assertThat(tasks.createIfAbsent(task)).isEmpty();
        return task;
    }

    @Test
    void anOwedWebhookWhoseMessageWasLostIsSentAgainOnce() {
        Task task = storedWithCallback();
        tasks.claim(task.id(), "w", T0, LEASE);
        tasks.complete(task.id(), "w", new TaskOutcome("m", "r", new TokenUsage(1, 1), null, 1), T0);
        tasks.markCallbackOwed(task.id(), T0.plus(dev.agenttasks.domain.callback.CallbackNotifier.REDRIVE_AFTER));
        reconciler = withWebhooks();

        Reconciler.Summary early = runAt(Duration.ofMinutes(10));
        Reconciler.Summary due = runAt(Duration.ofMinutes(16));
        Reconciler.Summary again = runAt(Duration.ofMinutes(17));

        assertThat(early.callbacksRedriven()).isZero();
        assertThat(due.callbacksRedriven()).isEqualTo(1);
        assertThat(again.callbacksRedriven()).isZero();
        assertThat(webhooks.sent()).containsExactly(task.id());
        assertThat(queue.sent()).as("no task message for a finished task").isEmpty();
    }

    @Test
    void aWebhookOwedPastItsTasksDeadlineAndADayIsGivenUp() {
        Task task = storedWithCallback();
        tasks.claim(task.id(), "w", T0, LEASE);
        tasks.complete(task.id(), "w", new TaskOutcome("m", "r", new TokenUsage(1, 1), null, 1), T0);
        tasks.markCallbackOwed(task.id(), T0.plus(Duration.ofMinutes(15)));
        reconciler = withWebhooks();

        runAt(MAX_AGE.plus(Duration.ofHours(24)));

        assertThat(current(task).callback().status()).isEqualTo(dev.agenttasks.domain.task.Callback.Status.FAILED);
        assertThat(current(task).callback().lastError()).isEqualTo("expired");
        assertThat(webhooks.sent()).isEmpty();
        assertThat(tasks.indexed()).isEmpty();
    }

    @Test
    void aTaskTheReconcilerFailsOwesItsWebhook() {
        Task task = storedWithCallback();
        reconciler = withWebhooks();

        runAt(MAX_AGE.plusSeconds(1));

        assertThat(current(task).status()).isEqualTo(TaskStatus.FAILED);
        assertThat(current(task).callback()).isEqualTo(dev.agenttasks.domain.task.Callback.owed());
        assertThat(webhooks.sent()).containsExactly(task.id());
    }
}
