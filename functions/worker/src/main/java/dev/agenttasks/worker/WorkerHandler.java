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

import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.aws.SqsMessageVisibility;
import dev.agenttasks.domain.breaker.BreakerCounters;
import dev.agenttasks.domain.routing.RoutingConfig;
import dev.agenttasks.providers.LlmClients;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.process.InvocationClock;
import dev.agenttasks.domain.process.ProcessResult;
import dev.agenttasks.domain.process.TaskProcessor;
import dev.agenttasks.domain.task.TaskMessages;

/**
 * WorkerFunction: processes a TaskQueue batch, its records side by side, and reports the ones to retry
 * as batch item failures (with their visibility set to the backoff delay). Unparseable messages are
 * logged and acknowledged, so they never loop.
 */
public class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerHandler.class);
    /** A record is started only while the invocation has at least this much time left. */
    static final Duration MIN_TIME_TO_START = Duration.ofSeconds(10);
    /** After an unexpected error (e.g. DynamoDB unreachable) a message comes back after 5 s, doubling per receive... */
    static final Duration FIRST_ERROR_DELAY = Duration.ofSeconds(5);
    /** ...up to TaskQueue's own visibility timeout, so 25 receives span hours before the DLQ. */
    static final Duration MAX_ERROR_DELAY = Duration.ofSeconds(720);

    private final TaskProcessor processor;
    private final SqsMessageVisibility visibility;
    private final Metrics metrics;
    private final BreakerCounters breakerEvents;
    private final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "task-worker");
        thread.setDaemon(true);
        return thread;
    });

    public WorkerHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public WorkerHandler(ServiceWiring wiring) {
        this(wiring, new BreakerCounters());
    }

    private WorkerHandler(ServiceWiring wiring, BreakerCounters breakerEvents) {
        this(wiring, breakerEvents, RoutingConfiguration.load(wiring.config(), wiring.aws()));
    }

    private WorkerHandler(ServiceWiring wiring, BreakerCounters breakerEvents, RoutingConfig routing) {
        this(wiring.taskProcessor(
                        LlmClients.fromConfig(wiring.config(), routing, LlmApiKey.resolve(wiring.config(), wiring.aws())),
                        wiring.sharedCircuitBreaker(breakerEvents), routing),
                new SqsMessageVisibility(wiring.aws().sqs(), wiring.config().taskQueueUrl()),
                Metrics.toStandardOutput("worker", wiring.clock()), breakerEvents);
    }

    public WorkerHandler(TaskProcessor processor, SqsMessageVisibility visibility) {
        this(processor, visibility, Metrics.discarding(), new BreakerCounters());
    }

    /** @param breakerEvents the breaker's transitions and fail-opens, counted and emitted once per invocation */
    public WorkerHandler(TaskProcessor processor, SqsMessageVisibility visibility, Metrics metrics,
                         BreakerCounters breakerEvents) {
        this.processor = processor;
        this.visibility = visibility;
        this.metrics = metrics;
        this.breakerEvents = breakerEvents;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        InvocationClock invocation = () -> Duration.ofMillis(context.getRemainingTimeInMillis());
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<Future<Optional<String>>> running = new ArrayList<>();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : records) {
            if (invocation.remaining().compareTo(MIN_TIME_TO_START) < 0) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                continue;
            }
            running.add(pool.submit(() -> processOne(message, invocation)));
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
        metrics.emit(breakerEvents.drain());
        return new SQSBatchResponse(failures);
    }

    /** Processes one record; returns its message id when the message must come back. */
    private Optional<String> processOne(SQSEvent.SQSMessage message, InvocationClock invocation) {
        Optional<String> taskId = TaskMessages.taskId(message.getBody());
        if (taskId.isEmpty()) {
            LOG.error("poison message {}: not a task message; acknowledged and dropped (metric PoisonMessages=1)",
                    message.getMessageId());
            metrics.count(Metrics.POISON_MESSAGES, 1);
            return Optional.empty();
        }
        try {
            ProcessResult result = processor.process(taskId.get(), invocation,
                    visibility.inFlight(message.getReceiptHandle()));
            if (result instanceof ProcessResult.RetryLater later) {
                visibility.redeliverAfter(message.getReceiptHandle(), later.delay());
                return Optional.of(message.getMessageId());
            }
            if (((ProcessResult.Done) result).outcome() == ProcessResult.Outcome.UNKNOWN_TASK) {
                metrics.count(Metrics.POISON_MESSAGES, 1);
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            Duration delay = delayAfterError(message);
            LOG.error("task {} (message {}) failed unexpectedly; it comes back in {} s", taskId.get(),
                    message.getMessageId(), delay.toSeconds(), e);
            visibility.redeliverAfter(message.getReceiptHandle(), delay);
            return Optional.of(message.getMessageId());
        }
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
