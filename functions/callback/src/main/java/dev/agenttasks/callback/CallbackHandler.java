package dev.agenttasks.callback;

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

import dev.agenttasks.aws.SqsMessageVisibility;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.domain.callback.CallbackDelivery;
import dev.agenttasks.domain.logging.LogContext;
import dev.agenttasks.domain.metrics.Metric;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.lambda.InvocationLog;
import dev.agenttasks.lambda.SnapStartHooks;
import dev.agenttasks.wiring.ServiceWiring;

/**
 * CallbackFunction: delivers a CallbackQueue batch of webhooks side by side. A delivery to retry comes back as a
 * batch item failure with its visibility set to the retry's delay; an unparseable message is logged and dropped.
 */
public class CallbackHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackHandler.class);
    /** After an unexpected error (e.g. DynamoDB unreachable) the message comes back after this. */
    static final Duration ERROR_DELAY = Duration.ofSeconds(30);

    private final CallbackDelivery delivery;
    private final SqsMessageVisibility visibility;
    private final Metrics metrics;
    private final InvocationLog invocationLog = new InvocationLog();
    /** Held here: CRaC's context keeps its resources only weakly. */
    private final SnapStartHooks snapStart;
    private final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "webhook-delivery");
        thread.setDaemon(true);
        return thread;
    });

    public CallbackHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public CallbackHandler(ServiceWiring wiring) {
        this.delivery = wiring.callbackDelivery(new HttpWebhookSender());
        this.visibility = new SqsMessageVisibility(wiring.aws().sqs(), wiring.config().callbackQueueUrl()
                .orElseThrow(() -> new ConfigurationException("CALLBACK_QUEUE_URL is not set")));
        this.metrics = wiring.metrics();
        this.snapStart = SnapStartHooks.register("CallbackFunction", () -> prime(wiring), () -> { });
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return invocationLog.around(context, () -> handleBatch(event));
    }

    private SQSBatchResponse handleBatch(SQSEvent event) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<Future<Optional<String>>> running = new ArrayList<>();
        for (SQSEvent.SQSMessage message : records) {
            running.add(pool.submit(InvocationLog.inCurrentContext(() -> deliverOne(message))));
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (Future<Optional<String>> future : running) {
            try {
                future.get().ifPresent(id -> failures.add(new SQSBatchResponse.BatchItemFailure(id)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while delivering the batch", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a delivery failed unexpectedly", e.getCause());
            }
        }
        return new SQSBatchResponse(failures);
    }

    /** Delivers one record's webhook; returns its message id when the message must come back. */
    private Optional<String> deliverOne(SQSEvent.SQSMessage message) {
        Optional<String> taskId = TaskMessages.taskId(message.getBody());
        if (taskId.isEmpty()) {
            LOG.error("poison message {}: not a webhook message; acknowledged and dropped", message.getMessageId());
            metrics.put(Metric.POISON_MESSAGES, 1);
            return Optional.empty();
        }
        try (LogContext.Scope scope = LogContext.taskId(taskId.get())) {
            CallbackDelivery.Result result = delivery.deliver(taskId.get());
            if (result instanceof CallbackDelivery.Result.RetryAfter retry) {
                visibility.redeliverAfter(message.getReceiptHandle(), retry.delay());
                return Optional.of(message.getMessageId());
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.error("webhook of task {} (message {}) failed unexpectedly; it comes back in {} s", taskId.get(),
                    message.getMessageId(), ERROR_DELAY.toSeconds(), e);
            visibility.redeliverAfter(message.getReceiptHandle(), ERROR_DELAY);
            return Optional.of(message.getMessageId());
        }
    }

    /** Before the snapshot: a delivery of an unknown task (one GetItem) over clients that answer in memory. */
    static void prime(ServiceWiring wiring) {
        try (ServiceWiring priming = wiring.forPriming()) {
            priming.callbackDelivery(new HttpWebhookSender()).deliver(TaskIds.newId());
        }
        wiring.aws().primeHttpClient();
    }
}
