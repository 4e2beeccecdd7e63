package dev.agenttasks.wiring;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;

import dev.agenttasks.api.GetTaskApi;
import dev.agenttasks.api.SubmitTaskApi;
import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.DynamoDbIdempotencyStore;
import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.aws.SqsDeadLetterQueue;
import dev.agenttasks.aws.SqsTaskQueue;
import dev.agenttasks.config.Config;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.process.Backoff;
import dev.agenttasks.domain.process.TaskProcessor;
import dev.agenttasks.domain.reconcile.Reconciler;
import dev.agenttasks.domain.routing.ModelRouter;
import dev.agenttasks.domain.routing.RoutingConfig;
import dev.agenttasks.domain.routing.RoutingConfigLoader;
import dev.agenttasks.domain.routing.TokenCounter;
import dev.agenttasks.domain.submit.SubmitTaskService;

/**
 * Builds each function's services and adapters from the {@link Config}: the only place that knows which
 * adapter stands behind which port. Handlers call it once, at init; the local stack and the tests call it
 * with their own configuration and clock.
 */
public final class ServiceWiring {

    private final Config config;
    private final AwsClients aws;
    private final Clock clock;

    public ServiceWiring(Config config, Clock clock) {
        this.config = config;
        this.aws = new AwsClients(config);
        this.clock = clock;
    }

    public static ServiceWiring fromEnvironment() {
        return new ServiceWiring(Config.fromEnvironment(), Clock.systemUTC());
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

    /**
     * The worker's processor, calling {@code llm} (the worker builds it: only the worker needs a provider), routing
     * with {@code ROUTING_CONFIG_FILE} or the built-in configuration for {@code LLM_PROVIDER}. A configuration in SSM
     * ({@code ROUTING_CONFIG_PARAMETER}) is read by the worker, which passes it to
     * {@link #taskProcessor(LlmClient, RoutingConfig)}.
     */
    public TaskProcessor taskProcessor(LlmClient llm) {
        return taskProcessor(llm, RoutingConfigLoader.load(config, name -> {
            throw new ConfigurationException("ROUTING_CONFIG_PARAMETER (" + name + ") is read by the worker at init; "
                    + "build the processor with taskProcessor(llm, RoutingConfiguration.load(config, aws))");
        }));
    }

    /** The worker's processor, calling {@code llm} and routing with {@code routing}. */
    public TaskProcessor taskProcessor(LlmClient llm, RoutingConfig routing) {
        return new TaskProcessor(
                new DynamoDbTaskRepository(aws.dynamoDb(), config.tasksTable()),
                llm,
                ModelRouter.of(routing, TokenCounter.cl100k()),
                routing.prices(),
                new Backoff(config.retry().baseDelay(), config.retry().maxDelay(),
                        () -> ThreadLocalRandom.current().nextDouble()),
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
                Metrics.toStandardOutput("reconciler", clock),
                clock,
                new Reconciler.Options(config.taskMaxAge(), config.reconcileMaxTasksPerRun(),
                        Reconciler.DEFAULT_MAX_DEAD_LETTERS_PER_RUN));
    }
}
