package dev.agenttasks.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.aws.SqsMessageVisibility;
import dev.agenttasks.domain.breaker.BreakerMetrics;
import dev.agenttasks.domain.logging.LogContext;
import dev.agenttasks.domain.metrics.Metric;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.process.InvocationClock;
import dev.agenttasks.domain.process.ProcessResult;
import dev.agenttasks.domain.process.TaskProcessor;
import dev.agenttasks.domain.routing.RoutingConfig;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.lambda.InvocationLog;
import dev.agenttasks.lambda.SnapStartHooks;
import dev.agenttasks.providers.LlmClients;
import dev.agenttasks.wiring.ServiceWiring;

/**
 * WorkerFunction: processes a TaskQueue batch, its records side by side (one thread each), and reports the ones
 * to retry as batch item failures (with their visibility set to the backoff delay). The records' visibility
 * changes share batch requests ({@link SqsMessageVisibility}). Unparseable messages are logged and acknowledged,
 * so they never loop. Each record's log lines carry its task id.
 */
public class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerHandler.class);
    /** A record is started only while the invocation has at least this much time left. */
    static final Duration MIN_TIME_TO_START = Duration.ofSeconds(10);
    /** After an unexpected error (e.g. DynamoDB unreachable) a message comes back after 5 s, doubling per receive... */
    static final Duration FIRST_ERROR_DELAY = Duration.ofSeconds(5);
    /** ...up to 12 minutes (TaskQueue's own visibility timeout is 740 s), so 25 receives span hours before the DLQ. */
    static final Duration MAX_ERROR_DELAY = Duration.ofSeconds(720);

    private final TaskProcessor processor;
    private final SqsMessageVisibility visibility;
    private final Metrics metrics;
    private final InvocationLog invocationLog = new InvocationLog();
    /** Held here: CRaC's context keeps its resources only weakly. */
    private final SnapStartHooks snapStart;
    private final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "task-worker");
        thread.setDaemon(true);
        return thread;
    });

    public WorkerHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    /** After a SnapStart restore the backoff jitter is reseeded, so restored sandboxes do not retry in step. */
    public WorkerHandler(ServiceWiring wiring) {
        this(wiring, wiring.metrics(), RoutingConfiguration.load(wiring.config(), wiring.aws()));
    }

    private WorkerHandler(ServiceWiring wiring, Metrics metrics, RoutingConfig routing) {
        this(wiring.taskProcessor(
                        LlmClients.fromConfig(wiring.config(), routing, LlmApiKey.resolve(wiring.config(), wiring.aws())),
                        wiring.sharedCircuitBreaker(new BreakerMetrics(metrics)), routing),
                new SqsMessageVisibility(wiring.aws().sqs(), wiring.config().taskQueueUrl()),
                metrics, () -> prime(wiring), wiring.jitter()::reseed);
    }

    public WorkerHandler(TaskProcessor processor, SqsMessageVisibility visibility, Metrics metrics) {
        this(processor, visibility, metrics, () -> { }, () -> { });
    }

    private WorkerHandler(TaskProcessor processor, SqsMessageVisibility visibility, Metrics metrics, Runnable prime,
                          Runnable restored) {
        this.processor = processor;
        this.visibility = visibility;
        this.metrics = metrics;
        this.snapStart = SnapStartHooks.register("WorkerFunction", prime, restored);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return invocationLog.around(context, () -> handleBatch(event, context));
    }

    private SQSBatchResponse handleBatch(SQSEvent event, Context context) {
        InvocationClock invocation = () -> Duration.ofMillis(context.getRemainingTimeInMillis());
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<Future<Optional<String>>> running = new ArrayList<>();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : records) {
            if (invocation.remaining().compareTo(MIN_TIME_TO_START) < 0) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                continue;
            }
            running.add(pool.submit(InvocationLog.inCurrentContext(() -> processOne(message, invocation))));
        }
        for (Future<Optional<String>> future : running) {
            try {
                future.get().ifPresent(id -> failures.add(new SQSBatchResponse.BatchItemFailure(id)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while processing the batch", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a record failed unexpectedly", e.getCause());
            }
        }
        return new SQSBatchResponse(failures);
    }

    /** Processes one record; returns its message id when the message must come back. */
    private Optional<String> processOne(SQSEvent.SQSMessage message, InvocationClock invocation) {
        Optional<String> taskId = TaskMessages.taskId(message.getBody());
        if (taskId.isEmpty()) {
            LOG.error("poison message {}: not a task message; acknowledged and dropped (metric PoisonMessages=1)",
                    message.getMessageId());
            metrics.put(Metric.POISON_MESSAGES, 1);
            return Optional.empty();
        }
        try (LogContext.Scope scope = LogContext.taskId(taskId.get())) {
            return processTask(message, taskId.get(), invocation);
        }
    }

    private Optional<String> processTask(SQSEvent.SQSMessage message, String taskId, InvocationClock invocation) {
        try {
            ProcessResult result = processor.process(taskId, invocation, visibility.inFlight(message.getReceiptHandle()));
            if (result instanceof ProcessResult.RetryLater later) {
                visibility.redeliverAfter(message.getReceiptHandle(), later.delay());
                return Optional.of(message.getMessageId());
            }
            if (((ProcessResult.Done) result).outcome() == ProcessResult.Outcome.UNKNOWN_TASK) {
                metrics.put(Metric.POISON_MESSAGES, 1);
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            Duration delay = delayAfterError(message);
            LOG.error("task {} (message {}) failed unexpectedly; it comes back in {} s", taskId,
                    message.getMessageId(), delay.toSeconds(), e);
            visibility.redeliverAfter(message.getReceiptHandle(), delay);
            return Optional.of(message.getMessageId());
        }
    }

    /**
     * Before the snapshot: a task read (GetItem) and a message hand-back (ChangeMessageVisibilityBatch) over clients that
     * answer in memory, the task message format, and the HTTPS client's connection setup without connecting. The
     * provider's client was built at init; no provider call is made.
     */
    static void prime(ServiceWiring wiring) {
        try (ServiceWiring priming = wiring.forPriming()) {
            String id = TaskIds.newId();
            TaskMessages.taskId(TaskMessages.body(id));
            new DynamoDbTaskRepository(priming.aws().dynamoDb(), wiring.config().tasksTable()).find(id);
            new SqsMessageVisibility(priming.aws().sqs(), wiring.config().taskQueueUrl())
                    .redeliverAfter("snapstart-priming", FIRST_ERROR_DELAY);
        }
        wiring.aws().primeHttpClient();
    }

    /** 5 s after the first receive, doubling with each receive, at most {@link #MAX_ERROR_DELAY}. */
    static Duration delayAfterError(SQSEvent.SQSMessage message) {
        int receives = 1;
        String count = message.getAttributes() == null ? null : message.getAttributes().get("ApproximateReceiveCount");
        try {
            receives = count == null ? 1 : Math.max(1, Integer.parseInt(count));
        } catch (NumberFormatException e) {
            // keep 1
        }
        long seconds = FIRST_ERROR_DELAY.toSeconds() << Math.min(receives - 1, 20);
        return Duration.ofSeconds(Math.min(seconds, MAX_ERROR_DELAY.toSeconds()));
    }
}
