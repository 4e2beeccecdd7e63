package dev.agenttasks.domain.callback;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agenttasks.domain.metrics.Metric;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.domain.port.CallbackAttempt;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.port.WebhookSender;
import dev.agenttasks.domain.task.Callback;
import dev.agenttasks.domain.task.Task;

/**
 * Delivers one owed webhook: POSTs the task's final view, signed for its owner, to its callback URL, and records the
 * outcome on the task. A 2xx settles it; anything else (another status, a timeout, a refused connection) is
 * retried with a growing delay until {@link Options#maxAttempts()} calls were made. The same message id
 * ({@code webhook-id}) goes with every retry, so a receiver deduplicates on it.
 */
public final class CallbackDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackDelivery.class);

    /** The first retry's delay; each later one is three times longer, up to {@link #MAX_DELAY}. */
    public static final Duration FIRST_DELAY = Duration.ofSeconds(10);
    public static final Duration MAX_DELAY = Duration.ofHours(1);

    /** Calls per webhook and the bound on each whole exchange. */
    public record Options(int maxAttempts, Duration timeout) {
        public Options {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /** What the delivery's message should do: go away, or come back after {@code delay}. */
    public sealed interface Result {
        record Done() implements Result {
        }

        record RetryAfter(Duration delay) implements Result {
        }
    }

    private final TaskRepository tasks;
    private final WebhookSender sender;
    private final WebhookSigner signer;
    private final Function<Task, String> views;
    private final Function<String, Optional<String>> urlProblems;
    private final Metrics metrics;
    private final Clock clock;
    private final Options options;

    /**
     * @param views       the task's view as {@code GET /tasks/{id}} shows it, without the callback's own status
     * @param urlProblems what is wrong with a callback URL now (addresses are checked again at each delivery)
     */
    public CallbackDelivery(TaskRepository tasks, WebhookSender sender, WebhookSigner signer, Function<Task, String> views,
                            Function<String, Optional<String>> urlProblems, Metrics metrics, Clock clock, Options options) {
        this.tasks = tasks;
        this.sender = sender;
        this.signer = signer;
        this.views = views;
        this.urlProblems = urlProblems;
        this.metrics = metrics;
        this.clock = clock;
        this.options = options;
    }

    /** The id every delivery of {@code taskId}'s webhook carries. */
    public static String messageId(String taskId) {
        return "msg_" + taskId;
    }

    public Result deliver(String taskId) {
        Optional<Task> found = tasks.find(taskId);
        if (found.isEmpty()) {
            LOG.warn("webhook message for unknown task {}: dropped", taskId);
            return new Result.Done();
        }
        Task task = found.get();
        Callback callback = task.callback();
        if (task.callbackUrl() == null || callback == null || callback.isSettled()) {
            return new Result.Done();   // nothing owed: a duplicate message, or one for a webhook settled since
        }
        Instant now = clock.instant();
        if (callback.nextAttemptAt() != null && now.isBefore(callback.nextAttemptAt())) {
            return new Result.RetryAfter(Duration.between(now, callback.nextAttemptAt()));   // an early copy
        }
        Optional<String> problem = urlProblems.apply(task.callbackUrl());
        if (problem.isPresent()) {
            LOG.warn("task {}: webhook not sent: its callback URL {}", taskId, problem.get());
            return settle(taskId, new CallbackAttempt.GaveUp("url_not_allowed", false), now, "failed");
        }
        byte[] body = views.apply(task).getBytes(StandardCharsets.UTF_8);
        String messageId = messageId(taskId);
        long timestamp = now.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.put("user-agent", "agent-tasks-webhooks/1");
        headers.put("webhook-id", messageId);
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", signer.signature(task.owner(), messageId, timestamp, body));
        String error;
        try {
            int status = sender.post(URI.create(task.callbackUrl()), headers, body, options.timeout());
            if (status >= 200 && status < 300) {
                LOG.info("task {}: webhook delivered (HTTP {}) after {} attempt(s)", taskId, status, callback.attempts() + 1);
                return settle(taskId, new CallbackAttempt.Delivered(), clock.instant(), "delivered");
            }
            error = "http_" + status;
        } catch (WebhookSender.WebhookException e) {
            error = e.code();
            LOG.debug("task {}: webhook detail: {}", taskId, e.getMessage());
        }
        int attempts = callback.attempts() + 1;
        Instant after = clock.instant();
        if (attempts >= options.maxAttempts()) {
            LOG.warn("task {}: webhook failed ({}) after {} attempt(s); given up", taskId, error, attempts);
            return settle(taskId, new CallbackAttempt.GaveUp(error, true), after, "failed");
        }
        Duration delay = delayAfter(attempts);
        Instant next = after.plus(delay);
        LOG.info("task {}: webhook attempt {} failed ({}); next in {} s", taskId, attempts, error, delay.toSeconds());
        if (!tasks.recordCallbackAttempt(taskId, new CallbackAttempt.Retrying(error, next,
                next.plus(CallbackNotifier.REDRIVE_AFTER)), after)) {
            return new Result.Done();
        }
        metrics.put(Metric.WEBHOOK_DELIVERIES, 1, "retrying");
        return new Result.RetryAfter(delay);
    }

    /** 10 s after the first failed call, then 30 s, 90 s, ... at most an hour. */
    static Duration delayAfter(int attempts) {
        Duration delay = FIRST_DELAY;
        for (int i = 1; i < attempts && delay.compareTo(MAX_DELAY) < 0; i++) {
            delay = delay.multipliedBy(3);
        }
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    private Result settle(String taskId, CallbackAttempt attempt, Instant now, String outcome) {
        if (tasks.recordCallbackAttempt(taskId, attempt, now)) {
            metrics.put(Metric.WEBHOOK_DELIVERIES, 1, outcome);
        }
        return new Result.Done();
    }
}
