package dev.agenttasks.wiring;

import java.time.Clock;

import dev.agenttasks.api.GetTaskApi;
import dev.agenttasks.api.SubmitTaskApi;
import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.DynamoDbIdempotencyStore;
import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.aws.SqsDeadLetterQueue;
import dev.agenttasks.aws.SqsTaskQueue;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.process.Backoff;
import dev.agenttasks.domain.process.Jitter;
import dev.agenttasks.domain.process.TaskProcessor;
import dev.agenttasks.domain.reconcile.Reconciler;
import dev.agenttasks.domain.routing.ModelRouter;
import dev.agenttasks.domain.routing.PriceTable;
import dev.agenttasks.domain.submit.SubmitTaskService;

/**
 * Builds each function's services and adapters from the {@link Config}: the only place that knows which
 * adapter stands behind which port. Handlers call it once, at init; the local stack and the tests call it
 * with their own configuration and clock.
 */
public final class ServiceWiring implements AutoCloseable {

    private final Config config;
    private final AwsClients aws;
    private final Clock clock;
    private final boolean priming;
    private final Jitter jitter = new Jitter();

    public ServiceWiring(Config config, Clock clock) {
        this(config, new AwsClients(config), clock, false);
    }

    private ServiceWiring(Config config, AwsClients aws, Clock clock, boolean priming) {
        this.config = config;
        this.aws = aws;
        this.clock = clock;
        this.priming = priming;
    }

    /**
     * The same services over {@link AwsClients#forPriming priming clients}, which answer every request in memory,
     * and with no metrics: what a handler runs before a SnapStart snapshot to load its request path without
     * writing anything or reaching the network.
     */
    public ServiceWiring forPriming() {
        return new ServiceWiring(config, AwsClients.forPriming(config), clock, true);
    }

    public static ServiceWiring fromEnvironment() {
        return new ServiceWiring(Config.fromEnvironment(), Clock.systemUTC());
    }

    /** Closes the SDK clients built here (the handlers never do: theirs live as long as the sandbox). */
    @Override
    public void close() {
        aws.close();
    }

    public Config config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public AwsClients aws() {
        return aws;
    }

    /** The backoff jitter's random source; a SnapStart restore must {@link Jitter#reseed() reseed} it. */
    public Jitter jitter() {
        return jitter;
    }

    /** EMF lines on standard output with the configured {@code Service} dimension (none when priming). */
    public Metrics metrics() {
        return priming ? Metrics.discarding() : Metrics.toStandardOutput(config.serviceName(), clock);
    }

    public SubmitTaskApi submitTaskApi() {
        var dynamoDb = aws.dynamoDb();
        var service = new SubmitTaskService(
                new DynamoDbTaskRepository(dynamoDb, config.tasksTable()),
                new DynamoDbIdempotencyStore(dynamoDb, config.tasksTable()),
                new SqsTaskQueue(aws.sqs(), config.taskQueueUrl()),
                clock,
                config.idempotencyTtl(),
                config.taskRetention());
        return new SubmitTaskApi(service, config.maxBodyBytes(), config.maxTaskChars());
    }

    public GetTaskApi getTaskApi() {
        return new GetTaskApi(new DynamoDbTaskRepository(aws.dynamoDb(), config.tasksTable()), clock);
    }

    /** The worker's processor, calling {@code llm} (the worker builds it: only the worker needs a provider). */
    public TaskProcessor taskProcessor(LlmClient llm) {
        return new TaskProcessor(
                new DynamoDbTaskRepository(aws.dynamoDb(), config.tasksTable()),
                llm,
                ModelRouter.ofDefaults(),
                PriceTable.ofDefaults(),
                new Backoff(config.retry().baseDelay(), config.retry().maxDelay(), jitter),
                clock,
                new TaskProcessor.Options(
                        config.retry().maxAttempts(),
                        config.taskLease(),
                        config.llmTimeout(),
                        config.taskMaxAge()));
    }

    /** The reconciler: the live-task index, the task queue, and the dead-letter queue when one is configured. */
    public Reconciler reconciler() {
        var sqs = aws.sqs();
        return new Reconciler(
                new DynamoDbTaskRepository(aws.dynamoDb(), config.tasksTable()),
                new SqsTaskQueue(sqs, config.taskQueueUrl()),
                config.taskDlqUrl().map(url -> new SqsDeadLetterQueue(sqs, url)),
                metrics(),
                clock,
                new Reconciler.Options(config.taskMaxAge(), config.reconcileMaxTasksPerRun(),
                        Reconciler.DEFAULT_MAX_DEAD_LETTERS_PER_RUN));
    }
}
