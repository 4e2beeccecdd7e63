package dev.agenttasks.wiring;

import java.time.Clock;
import java.util.Optional;

import dev.agenttasks.api.CallbackUrls;
import dev.agenttasks.api.CancelTaskApi;
import dev.agenttasks.api.GetTaskApi;
import dev.agenttasks.api.ListTasksApi;
import dev.agenttasks.api.SubmitTaskApi;
import dev.agenttasks.api.TaskView;
import dev.agenttasks.api.TaskWaiter;
import dev.agenttasks.api.WebhookSecretApi;
import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.DynamoDbCircuitBreakerStore;
import dev.agenttasks.aws.DynamoDbIdempotencyStore;
import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.aws.SqsDeadLetterQueue;
import dev.agenttasks.aws.SqsTaskQueue;
import dev.agenttasks.config.Config;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.domain.breaker.BreakerConfig;
import dev.agenttasks.domain.breaker.BreakerListener;
import dev.agenttasks.domain.breaker.SharedCircuitBreaker;
import dev.agenttasks.domain.callback.CallbackDelivery;
import dev.agenttasks.domain.callback.CallbackNotifier;
import dev.agenttasks.domain.callback.WebhookSigner;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.WebhookSender;
import dev.agenttasks.domain.process.Backoff;
import dev.agenttasks.domain.process.Jitter;
import dev.agenttasks.domain.process.TaskProcessor;
import dev.agenttasks.domain.reconcile.Reconciler;
import dev.agenttasks.domain.routing.RequestPlanner;
import dev.agenttasks.domain.routing.RoutingConfig;
import dev.agenttasks.domain.routing.RoutingConfigLoader;
import dev.agenttasks.domain.routing.TokenCounter;
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
    private DynamoDbTaskRepository tasks;

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
        var service = new SubmitTaskService(
                tasks(),
                new DynamoDbIdempotencyStore(aws.dynamoDb(), config.tasksTable()),
                new SqsTaskQueue(aws.sqs(), config.taskQueueUrl()),
                clock,
                config.idempotencyTtl(),
                config.taskRetention());
        return new SubmitTaskApi(service, new RequestPlanner(routing(), TokenCounter.cl100k()), callbackUrls(), getTaskApi(),
                TaskWaiter.sleeping(tasks(), clock), config.maxBodyBytes(), config.maxTaskChars());
    }

    public GetTaskApi getTaskApi() {
        return new GetTaskApi(tasks(), clock);
    }

    public ListTasksApi listTasksApi() {
        return new ListTasksApi(tasks(), config.cursorSigningKey(), clock);
    }

    public CancelTaskApi cancelTaskApi() {
        return new CancelTaskApi(tasks(), getTaskApi(), clock, callbackNotifier());
    }

    public WebhookSecretApi webhookSecretApi() {
        return new WebhookSecretApi(new WebhookSigner(config.webhookSigningKey()));
    }

    /** Which callback URLs may be called: https to public addresses in Lambda, anything http(s) locally. */
    public CallbackUrls callbackUrls() {
        return config.inLambda() ? CallbackUrls.forAws() : CallbackUrls.forLocalStack();
    }

    /**
     * Starts finished tasks' webhooks through {@code CALLBACK_QUEUE_URL} (none when it is unset). The SQS client is
     * built at the first webhook, so the status function, which sends one only when a cancel finishes a task with a
     * webhook, does not build it at init.
     */
    public CallbackNotifier callbackNotifier() {
        return new CallbackNotifier(tasks(), config.callbackQueueUrl().map(url -> new SqsTaskQueue(aws::sqs, url)), clock);
    }

    /** The webhook delivery of the callback function, POSTing through {@code sender}. */
    public CallbackDelivery callbackDelivery(WebhookSender sender) {
        CallbackUrls urls = callbackUrls();
        return new CallbackDelivery(tasks(), sender, new WebhookSigner(config.webhookSigningKey()), TaskView::webhookBody,
                urls::deliveryProblemWith, metrics(), clock,
                new CallbackDelivery.Options(config.webhookMaxAttempts(), config.webhookTimeout()));
    }

    /** The task table's adapter, one per wiring: its SDK client is built once. */
    private synchronized DynamoDbTaskRepository tasks() {
        if (tasks == null) {
            tasks = new DynamoDbTaskRepository(aws.dynamoDb(), config.tasksTable());
        }
        return tasks;
    }

    /**
     * The worker's processor with the routing of {@code ROUTING_CONFIG_FILE}, {@code ROUTING_CONFIG} or the built-in configuration for
     * {@code LLM_PROVIDER}. A configuration in SSM ({@code ROUTING_CONFIG_PARAMETER}) is read by the worker,
     * which passes it to {@link #taskProcessor(LlmClient, SharedCircuitBreaker, RoutingConfig)}.
     */
    public TaskProcessor taskProcessor(LlmClient llm, SharedCircuitBreaker breaker) {
        return taskProcessor(llm, breaker, routing());
    }

    /**
     * The routing configuration of {@code ROUTING_CONFIG_FILE} or {@code ROUTING_CONFIG}, or the built-in one for {@code LLM_PROVIDER}. One in
     * SSM ({@code ROUTING_CONFIG_PARAMETER}) is read by the worker only, at init (RoutingConfiguration, through SsmParameterReader).
     */
    public RoutingConfig routing() {
        return RoutingConfigLoader.load(config, name -> {
            throw new ConfigurationException("ROUTING_CONFIG_PARAMETER (" + name + ") is read by the worker at init; "
                    + "build the processor with taskProcessor(llm, breaker, RoutingConfiguration.load(config, aws))");
        });
    }

    /**
     * The worker's processor, calling {@code llm} (the worker builds it: only the worker needs a provider)
     * behind the fleet's circuit breakers, routing with {@code routing}.
     */
    public TaskProcessor taskProcessor(LlmClient llm, SharedCircuitBreaker breaker, RoutingConfig routing) {
        return new TaskProcessor(
                tasks(),
                llm,
                breaker,
                new RequestPlanner(routing, TokenCounter.cl100kLoadingInBackground()),
                new Backoff(config.retry().baseDelay(), config.retry().maxDelay(), jitter),
                clock,
                new TaskProcessor.Options(
                        config.retry().maxAttempts(),
                        config.taskLease(),
                        config.llmTimeout(),
                        config.taskMaxAge()),
                metrics(),
                callbackNotifier());
    }

    /**
     * The fleet-wide circuit breakers over {@code BREAKER_TABLE} with the {@code BREAKER_*} settings and a probe
     * right of {@code LLM_TIMEOUT_MS} plus a margin. Build one per container (it caches state for a second)
     * and share it between threads; {@code listener} hears transitions and fail-opens (e.g. a
     * {@link dev.agenttasks.domain.breaker.BreakerCounters} drained into each invocation's metrics).
     */
    public SharedCircuitBreaker sharedCircuitBreaker(BreakerListener listener) {
        return SharedCircuitBreaker.of(
                new DynamoDbCircuitBreakerStore(aws.breakerDynamoDb(), config.breakerTable()),
                BreakerConfig.from(config),
                clock,
                listener);
    }

    /**
     * The reconciler: the live-task index, the task queue, the dead-letter queue when one is configured, and the
     * breaker table for the longest-open gauge.
     */
    public Reconciler reconciler() {
        var sqs = aws.sqs();
        SharedCircuitBreaker breakers = sharedCircuitBreaker(BreakerListener.NONE);
        return new Reconciler(
                tasks(),
                new SqsTaskQueue(sqs, config.taskQueueUrl()),
                config.taskDlqUrl().map(url -> new SqsDeadLetterQueue(sqs, url)),
                metrics(),
                clock,
                new Reconciler.Options(config.taskMaxAge(), config.reconcileMaxTasksPerRun(),
                        Reconciler.DEFAULT_MAX_DEAD_LETTERS_PER_RUN),
                Optional.of(breakers::longestOpen),
                callbackNotifier());
    }
}
