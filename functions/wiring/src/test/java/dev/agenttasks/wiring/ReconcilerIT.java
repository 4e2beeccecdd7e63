package dev.agenttasks.wiring;

import dev.agenttasks.domain.reconcile.Reconciler;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.wiring.MotoTestEnvironment;
import dev.agenttasks.domain.fakes.MutableClock;
import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.aws.SqsDeadLetterQueue;
import dev.agenttasks.aws.SqsTaskQueue;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.task.TokenUsage;
import dev.agenttasks.domain.metrics.EmfSpecification;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TaskStatus;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The reconciler against moto: the template's table (with its sparse index) and queues. */
class ReconcilerIT {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration MAX_AGE = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(T0);
    private final List<String> metricLines = new ArrayList<>();
    private Config settings;
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;
    private DynamoDbTaskRepository tasks;
    private Reconciler reconciler;

    @BeforeEach
    void setUp() {
        settings = MotoTestEnvironment.freshConfig(Map.of());
        AwsClients aws = new AwsClients(settings);
        dynamoDb = aws.dynamoDb();
        sqs = aws.sqs();
        tasks = new DynamoDbTaskRepository(dynamoDb, settings.tasksTable());
        reconciler = new Reconciler(tasks, new SqsTaskQueue(sqs, settings.taskQueueUrl()),
                Optional.of(new SqsDeadLetterQueue(sqs, settings.taskDlqUrl().orElseThrow())),
                new Metrics(Metrics.DEFAULT_SERVICE, metricLines::add, clock), clock, Reconciler.Options.of(MAX_AGE));
    }

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

    private List<String> drain(String queueUrl) {
        List<String> bodies = new ArrayList<>();
        List<Message> batch;
        do {
            batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
            for (Message message : batch) {
                bodies.add(message.body());
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            }
        } while (!batch.isEmpty());
        return bodies;
    }

    private List<String> queuedTaskIds() {
        return drain(settings.taskQueueUrl()).stream().map(body -> TaskMessages.taskId(body).orElseThrow()).toList();
    }

    private int messagesIn(String queueUrl) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** Task ids in the reconciler's index, read straight from DynamoDB. */
    private List<String> indexed() {
        return dynamoDb.scan(b -> b.tableName(settings.tasksTable()).indexName("active-due")).items().stream()
                .map(item -> item.get("task_id")).map(AttributeValue::s).toList();
    }

    private void deadLetter(String body) {
        sqs.sendMessage(b -> b.queueUrl(settings.taskDlqUrl().orElseThrow()).messageBody(body));
    }

    @Test
    void aTaskWhoseSendFailedGetsItsMessageOnTheNextRun() {
        Task task = stored();
        tasks.markSendFailed(task.id(), T0);   // what the submission does when SendMessage fails

        Reconciler.Summary summary = runAt(Duration.ofMinutes(1));

        assertThat(summary.enqueued()).isEqualTo(1);
        assertThat(queuedTaskIds()).containsExactly(task.id());
        assertThat(current(task).enqueuedAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(current(task).status()).isEqualTo(TaskStatus.PENDING);
        assertThat(runAt(Duration.ofMinutes(15)).enqueued()).as("the message is in flight").isZero();
        assertThat(runAt(Duration.ofMinutes(17)).enqueued()).as("15 min after the re-send, still not picked up")
                .isEqualTo(1);
        assertThat(queuedTaskIds()).containsExactly(task.id());
    }

    @Test
    void aTaskStoredButNeverSentGetsItsMessageAfterTheRequeueInterval() {
        Task task = stored();   // the submission died between its put and its send: nothing recorded

        assertThat(runAt(Duration.ofMinutes(14)).enqueued()).isZero();
        assertThat(runAt(Duration.ofMinutes(16)).enqueued()).isEqualTo(1);
        assertThat(queuedTaskIds()).containsExactly(task.id());
    }

    @Test
    void anEnqueuedTaskIsLeftAloneUntilItsMessageIsLongOverdue() {
        Task task = stored();
        tasks.markEnqueued(task.id(), T0);

        assertThat(runAt(Duration.ofMinutes(10)).due()).as("not even read").isZero();
        assertThat(queuedTaskIds()).isEmpty();

        assertThat(runAt(Duration.ofMinutes(16)).enqueued()).isEqualTo(1);
        assertThat(queuedTaskIds()).containsExactly(task.id());
    }

    @Test
    void aRedriveWhoseSendFailsIsDueAgainSoon() {
        Task task = stored();
        tasks.markSendFailed(task.id(), T0);
        Reconciler broken = new Reconciler(tasks, new SqsTaskQueue(sqs, settings.taskQueueUrl() + "-missing"),
                Optional.empty(), Metrics.discarding(), clock, Reconciler.Options.of(MAX_AGE));
        clock.set(T0.plus(Duration.ofMinutes(1)));

        assertThat(broken.run().errors()).isEqualTo(1);

        assertThat(runAt(Duration.ofMinutes(2)).enqueued()).as("not yet: due 2 min after the failed send").isZero();
        assertThat(runAt(Duration.ofMinutes(3)).enqueued()).isEqualTo(1);
        assertThat(queuedTaskIds()).containsExactly(task.id());
    }


    @Test
    void aRunningTaskWhoseLeaseExpiredIsSentAgainForATakeover() {
        Task task = stored();
        tasks.markEnqueued(task.id(), T0);
        assertThat(tasks.claim(task.id(), "died", T0, LEASE).claimed()).isTrue();

        assertThat(runAt(Duration.ofSeconds(30)).leasesRedriven()).as("the lease is live").isZero();
        assertThat(queuedTaskIds()).isEmpty();

        Reconciler.Summary summary = runAt(LEASE.plusSeconds(1));

        assertThat(summary.leasesRedriven()).isEqualTo(1);
        assertThat(queuedTaskIds()).containsExactly(task.id());
        assertThat(current(task).status()).isEqualTo(TaskStatus.RUNNING);
        // The worker that receives the message takes the task over; the index then follows the new lease.
        assertThat(tasks.claim(task.id(), "next", clock.instant(), LEASE).claimed()).isTrue();
        assertThat(runAt(LEASE.plusSeconds(30)).leasesRedriven()).isZero();
        assertThat(queuedTaskIds()).isEmpty();
    }

    @Test
    void tasksPastTheirDeadlineThatNoWorkerHoldsAreFailed() {
        Task pending = stored();
        tasks.markEnqueued(pending.id(), T0);
        Task abandoned = stored();
        assertThat(tasks.claim(abandoned.id(), "died", T0.plus(Duration.ofMinutes(30)), LEASE).claimed()).isTrue();

        Reconciler.Summary summary = runAt(MAX_AGE.plusMinutes(1));

        assertThat(summary.deadlineFailed()).isEqualTo(2);
        for (Task task : List.of(pending, abandoned)) {
            Task failed = current(task);
            assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(failed.error().code()).isEqualTo(Reconciler.CODE_DEADLINE);
            assertThat(failed.leaseOwner()).isNull();
        }
        assertThat(queuedTaskIds()).isEmpty();
        assertThat(indexed()).isEmpty();
    }

    @Test
    void aDeadLetteredMessageFailsItsTaskAndLeavesTheQueueEmpty() {
        Task task = stored();
        tasks.markEnqueued(task.id(), T0);
        deadLetter(TaskMessages.body(task.id()));
        deadLetter("not json at all");
        deadLetter(TaskMessages.body(TaskIds.newId()));

        Reconciler.Summary summary = runAt(Duration.ofMinutes(1));

        assertThat(summary.deadLettered()).isEqualTo(1);
        assertThat(summary.poisonMessages()).isEqualTo(2);
        Task failed = current(task);
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.error().code()).isEqualTo(Reconciler.CODE_DEAD_LETTERED);
        assertThat(failed.error().message()).contains("dead-letter queue");
        assertThat(messagesIn(settings.taskDlqUrl().orElseThrow())).isZero();
        assertThat(metricLines).allSatisfy(line -> assertThat(EmfSpecification.violations(line)).isEmpty());
        assertThat(metricLines.get(0)).contains("\"DeadLetteredTasks\":1").contains("\"PoisonMessages\":2")
                .contains("\"Namespace\":\"AgentTasks\"");
        assertThat(metricLines).anySatisfy(line -> assertThat(line)
                .contains("\"Action\":\"DeadLettered\"").contains("\"ReconcilerActions\":1"));
        assertThat(metricLines).anySatisfy(line -> assertThat(line)
                .contains("\"Action\":\"PoisonDeleted\"").contains("\"ReconcilerActions\":2"));
    }

    @Test
    void aDeadLetteredMessageOfALiveLeasedTaskIsKeptForALaterRun() {
        Task task = stored();
        assertThat(tasks.claim(task.id(), "working", T0, LEASE).claimed()).isTrue();
        deadLetter(TaskMessages.body(task.id()));

        Reconciler.Summary summary = runAt(Duration.ofSeconds(10));

        assertThat(summary.deadLettered()).isZero();
        assertThat(current(task).status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(messagesIn(settings.taskDlqUrl().orElseThrow())).isEqualTo(1);
    }

    @Test
    void aFinishedTaskIsNeverTouched() {
        Task complete = stored();
        assertThat(tasks.claim(complete.id(), "w", T0, LEASE).claimed()).isTrue();
        assertThat(tasks.complete(complete.id(), "w", new TaskOutcome("llama-3.1-8b-instant", "done",
                new TokenUsage(3, 4), BigDecimal.ONE, 10), T0.plusSeconds(1))).isTrue();
        Task failed = stored();
        assertThat(tasks.claim(failed.id(), "w", T0, LEASE).claimed()).isTrue();
        assertThat(tasks.fail(failed.id(), "w", new TaskError("provider_http_400", "bad"), 5L, T0.plusSeconds(1))).isTrue();
        Task completeBefore = current(complete);
        Task failedBefore = current(failed);
        deadLetter(TaskMessages.body(complete.id()));

        Reconciler.Summary summary = runAt(MAX_AGE.multipliedBy(3));

        assertThat(summary).isEqualTo(new Reconciler.Summary(0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(current(complete)).isEqualTo(completeBefore);
        assertThat(current(failed)).isEqualTo(failedBefore);
        assertThat(queuedTaskIds()).isEmpty();
        assertThat(messagesIn(settings.taskDlqUrl().orElseThrow())).as("accounted for, so deleted").isZero();
        assertThat(tasks.failUnleased(complete.id(), new TaskError("x", "y"), clock.instant()))
                .isEqualTo(dev.agenttasks.domain.port.LiveTaskIndex.UnleasedFailure.ALREADY_TERMINAL);
    }

    @Test
    void theIndexHoldsOnlyLiveTasks() {
        Task pending = stored();
        Task running = stored();
        assertThat(tasks.claim(running.id(), "w", T0, LEASE).claimed()).isTrue();
        Task released = stored();
        assertThat(tasks.claim(released.id(), "w", T0, LEASE).claimed()).isTrue();
        assertThat(tasks.release(released.id(), "w", T0, T0.plusSeconds(5))).isTrue();
        Task complete = stored();
        assertThat(tasks.claim(complete.id(), "w", T0, LEASE).claimed()).isTrue();
        assertThat(tasks.complete(complete.id(), "w", new TaskOutcome("m", "r", new TokenUsage(1, 1), null, 1), T0)).isTrue();
        Task failed = stored();
        assertThat(tasks.claim(failed.id(), "w", T0, LEASE).claimed()).isTrue();
        assertThat(tasks.fail(failed.id(), "w", new TaskError("e", "m"), null, T0)).isTrue();
        Task abandoned = stored();
        tasks.failUnleased(abandoned.id(), new TaskError(Reconciler.CODE_DEADLINE, "late"), T0);

        assertThat(indexed()).containsExactlyInAnyOrder(pending.id(), running.id(), released.id());
        assertThat(tasks.findDue(T0.plus(Duration.ofDays(1)), 100)).extracting(due -> due.taskId())
                .containsExactlyInAnyOrder(pending.id(), running.id(), released.id());
        assertThat(tasks.findDue(T0, 100)).as("nothing is due yet").isEmpty();
    }

    @Test
    void aRunIsBoundedAndTakesTheEarliestDueFirst() {
        List<Task> stuck = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            stuck.add(stored());
            clock.advance(Duration.ofSeconds(1));
        }
        reconciler = new Reconciler(tasks, new SqsTaskQueue(sqs, settings.taskQueueUrl()), Optional.empty(),
                Metrics.discarding(), clock, new Reconciler.Options(MAX_AGE, 8, 0));

        Reconciler.Summary first = runAt(Duration.ofMinutes(20));
        List<String> firstSent = queuedTaskIds();
        Reconciler.Summary second = runAt(Duration.ofMinutes(21));

        assertThat(first.enqueued()).isEqualTo(8);
        assertThat(firstSent).containsExactlyInAnyOrderElementsOf(stuck.subList(0, 8).stream().map(Task::id).toList());
        assertThat(second.enqueued()).isEqualTo(4);
        assertThat(queuedTaskIds()).containsExactlyInAnyOrderElementsOf(stuck.subList(8, 12).stream().map(Task::id).toList());
    }

}
