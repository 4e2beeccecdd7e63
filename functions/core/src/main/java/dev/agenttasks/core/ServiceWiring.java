package dev.agenttasks.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import dev.agenttasks.core.aws.AwsClients;
import dev.agenttasks.core.aws.DynamoDbIdempotencyStore;
import dev.agenttasks.core.aws.DynamoDbTaskRepository;
import dev.agenttasks.core.aws.SqsDeadLetterQueue;
import dev.agenttasks.core.aws.SqsTaskQueue;
import dev.agenttasks.core.config.Settings;
import dev.agenttasks.core.http.GetTaskApi;
import dev.agenttasks.core.http.SubmitTaskApi;
import dev.agenttasks.core.llm.LlmClient;
import dev.agenttasks.core.llm.LlmClients;
import dev.agenttasks.core.metrics.Metrics;
import dev.agenttasks.core.port.DeadLetterQueue;
import dev.agenttasks.core.process.Backoff;
import dev.agenttasks.core.process.TaskProcessor;
import dev.agenttasks.core.reconcile.Reconciler;
import dev.agenttasks.core.routing.ModelRouter;
import dev.agenttasks.core.routing.PriceTable;
import dev.agenttasks.core.submit.SubmitTaskService;

/**
 * Builds each function's collaborators from {@link Settings}. Handlers call this once, at init;
 * the local stack calls it with its own settings.
 */
public final class ServiceWiring {

    public static final long DEFAULT_TASK_MAX_AGE_SECONDS = 3_600;

    private final Settings settings;
    private final AwsClients aws;
    private final Clock clock;

    public ServiceWiring(Settings settings, Clock clock) {
        this.settings = settings;
        this.aws = new AwsClients(settings);
        this.clock = clock;
    }

    public static ServiceWiring fromEnvironment() {
        return new ServiceWiring(Settings.fromEnvironment(), Clock.systemUTC());
    }

    public Settings settings() {
        return settings;
    }

    public SubmitTaskApi submitTaskApi() {
        var dynamoDb = aws.dynamoDb();
        var service = new SubmitTaskService(
                new DynamoDbTaskRepository(dynamoDb, settings.tasksTable()),
                new DynamoDbIdempotencyStore(dynamoDb, settings.tasksTable()),
                new SqsTaskQueue(aws.sqs(), settings.taskQueueUrl()),
                clock,
                settings.idempotencyTtl(),
                taskRetention());
        return new SubmitTaskApi(service,
                settings.getInt("MAX_BODY_BYTES", SubmitTaskApi.DEFAULT_MAX_BODY_BYTES, 1_024, 10 * 1024 * 1024),
                // A task item must stay under DynamoDB's 400 KB: 100,000 characters is at most 300 KB of UTF-8.
                settings.getInt("MAX_TASK_CHARS", SubmitTaskApi.DEFAULT_MAX_TASK_CHARS, 1, 100_000));
    }

    /**
     * How long a task record lives: {@code TASK_RETENTION_SECONDS}, but never less than a day beyond the
     * task's deadline, so DynamoDB TTL cannot delete a task that is still live.
     */
    public Duration taskRetention() {
        Duration floor = taskMaxAge().plus(Duration.ofDays(1));
        return settings.taskRetention().compareTo(floor) < 0 ? floor : settings.taskRetention();
    }

    public GetTaskApi getTaskApi() {
        return new GetTaskApi(new DynamoDbTaskRepository(aws.dynamoDb(), settings.tasksTable()), clock);
    }

    public TaskProcessor taskProcessor() {
        return taskProcessor(llmClient());
    }

    public TaskProcessor taskProcessor(LlmClient llm) {
        return new TaskProcessor(
                new DynamoDbTaskRepository(aws.dynamoDb(), settings.tasksTable()),
                llm,
                ModelRouter.ofDefaults(),
                PriceTable.ofDefaults(),
                new Backoff(settings.retryBaseDelay(), settings.retryMaxDelay(), () -> ThreadLocalRandom.current().nextDouble()),
                clock,
                new TaskProcessor.Options(
                        settings.retryMaxAttempts(),
                        settings.taskLease(),
                        settings.llmTimeout(),
                        taskMaxAge()));
    }

    /**
     * The reconciler: the task store's index of live tasks, the task queue, and the dead-letter queue
     * when {@code TASK_DLQ_URL} is set. {@code RECONCILE_MAX_TASKS_PER_RUN} bounds one run's work.
     */
    public Reconciler reconciler() {
        var sqs = aws.sqs();
        Optional<DeadLetterQueue> deadLetters = settings.get("TASK_DLQ_URL")
                .map(url -> new SqsDeadLetterQueue(sqs, url));
        return new Reconciler(
                new DynamoDbTaskRepository(aws.dynamoDb(), settings.tasksTable()),
                new SqsTaskQueue(sqs, settings.taskQueueUrl()),
                deadLetters,
                Metrics.toStandardOutput("reconciler", clock),
                clock,
                new Reconciler.Options(taskMaxAge(),
                        settings.getInt("RECONCILE_MAX_TASKS_PER_RUN", Reconciler.DEFAULT_MAX_TASKS_PER_RUN, 1, 100_000),
                        Reconciler.DEFAULT_MAX_DEAD_LETTERS_PER_RUN));
    }

    /** A task's deadline, counted from its submission: {@code TASK_MAX_AGE_SECONDS} (default one hour). */
    public Duration taskMaxAge() {
        return Duration.ofSeconds(settings.getLong("TASK_MAX_AGE_SECONDS", DEFAULT_TASK_MAX_AGE_SECONDS, 10, 14 * 86_400));
    }

    /** The configured provider, with the API key from the settings. */
    public LlmClient llmClient() {
        return LlmClients.fromSettings(settings);
    }

    /** The provider the worker will use, as {@link #llmClient()} would choose it, without building it. */
    public String llmProviderName() {
        return LlmClients.providerName(settings);
    }

    public Clock clock() {
        return clock;
    }

    public AwsClients aws() {
        return aws;
    }
}
