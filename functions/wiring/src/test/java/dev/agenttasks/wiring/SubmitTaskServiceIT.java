package dev.agenttasks.wiring;

import dev.agenttasks.domain.submit.IdempotencyKeyReusedException;
import dev.agenttasks.domain.submit.SubmitCommand;
import dev.agenttasks.domain.submit.SubmitResult;
import dev.agenttasks.domain.submit.SubmitTaskService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.wiring.MotoTestEnvironment;
import dev.agenttasks.domain.fakes.MutableClock;
import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.DynamoDbIdempotencyStore;
import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.aws.SqsTaskQueue;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.port.TaskQueue;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.domain.task.TaskStatus;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

class SubmitTaskServiceIT {

    private static final Duration KEY_TTL = Duration.ofHours(24);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private Config settings;
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;
    private DynamoDbTaskRepository tasks;
    private ExecutorService pool;

    @BeforeEach
    void setUp() {
        settings = MotoTestEnvironment.freshConfig(Map.of());
        AwsClients aws = new AwsClients(settings);
        dynamoDb = aws.dynamoDb();
        sqs = aws.sqs();
        tasks = new DynamoDbTaskRepository(dynamoDb, settings.tasksTable());
        pool = Executors.newFixedThreadPool(24);
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private SubmitTaskService service(TaskQueue queue) {
        return new SubmitTaskService(tasks, new DynamoDbIdempotencyStore(dynamoDb, settings.tasksTable()), queue, clock,
                KEY_TTL, Duration.ofDays(7));
    }

    private SubmitTaskService service() {
        return service(new SqsTaskQueue(sqs, settings.taskQueueUrl()));
    }

    private static SubmitCommand command(String task, String key) {
        return new SubmitCommand(task, null, Optional.ofNullable(key), "fp:" + task);
    }

    private List<String> drainQueue() {
        List<String> ids = new ArrayList<>();
        List<Message> batch;
        do {
            batch = sqs.receiveMessage(b -> b.queueUrl(settings.taskQueueUrl()).maxNumberOfMessages(10)).messages();
            batch.forEach(m -> ids.add(TaskMessages.taskId(m.body()).orElseThrow()));
        } while (!batch.isEmpty());
        return ids;
    }

    @Test
    void aSubmissionStoresAPendingTaskAndEnqueuesItOnce() {
        SubmitResult result = service().submit("iam:alice", command("What is SQS?", null));

        assertThat(result.replayed()).isFalse();
        assertThat(TaskIds.isWellFormed(result.task().id())).isTrue();
        Task stored = tasks.find(result.task().id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(stored.owner()).isEqualTo("iam:alice");
        assertThat(stored.enqueuedAt()).isNotNull();
        assertThat(drainQueue()).containsExactly(result.task().id());
    }

    @Test
    void concurrentDuplicatesMakeOneTaskAndOneMessage() throws Exception {
        SubmitTaskService service = service();
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
        assertThat(drainQueue()).containsExactly(ids.iterator().next());
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefused() {
        service().submit("iam:alice", command("task one", "key-1"));

        assertThatThrownBy(() -> service().submit("iam:alice", command("task two", "key-1")))
                .isInstanceOf(IdempotencyKeyReusedException.class);
    }

    @Test
    void keysAreScopedPerCaller() {
        SubmitResult alice = service().submit("iam:alice", command("same task", "shared-key"));
        SubmitResult bob = service().submit("iam:bob", command("same task", "shared-key"));

        assertThat(bob.replayed()).isFalse();
        assertThat(bob.task().id()).isNotEqualTo(alice.task().id());
        assertThat(bob.task().owner()).isEqualTo("iam:bob");
    }

    @Test
    void anExpiredKeyStartsANewTask() {
        SubmitResult first = service().submit("iam:alice", command("task", "key-1"));
        clock.advance(KEY_TTL.plusSeconds(1));

        SubmitResult second = service().submit("iam:alice", command("another task", "key-1"));

        assertThat(second.replayed()).isFalse();
        assertThat(second.task().id()).isNotEqualTo(first.task().id());
    }

    @Test
    void aReplayEnqueuesATaskWhoseFirstSubmissionNeverSentIt() {
        TaskQueue broken = taskId -> {
            throw new dev.agenttasks.domain.port.DependencyUnavailableException("queue down", null);
        };
        SubmitResult first = service(broken).submit("iam:alice", command("task", "key-1"));
        assertThat(drainQueue()).isEmpty();

        SubmitResult tooSoon = service().submit("iam:alice", command("task", "key-1"));
        assertThat(drainQueue()).isEmpty();
        clock.advance(SubmitTaskService.ENQUEUE_GRACE.plusSeconds(1));
        SubmitResult replay = service().submit("iam:alice", command("task", "key-1"));
        SubmitResult again = service().submit("iam:alice", command("task", "key-1"));

        assertThat(tooSoon.replayed()).isTrue();
        assertThat(replay.replayed()).isTrue();
        assertThat(again.task().id()).isEqualTo(first.task().id());
        assertThat(drainQueue()).containsExactly(first.task().id());
    }

}
