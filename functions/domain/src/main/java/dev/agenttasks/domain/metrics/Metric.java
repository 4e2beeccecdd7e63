package dev.agenttasks.domain.metrics;

import java.util.List;

/**
 * Every metric the service emits (namespace {@value Metrics#NAMESPACE}): its name, unit and the dimensions of its
 * own. Each is also published with {@code Service} alone, so an alarm can watch the total. The alarms in
 * template.yaml and docs/observability.md name these.
 */
public enum Metric {
    /** A POST /tasks that created a task (202). */
    TASKS_SUBMITTED("TasksSubmitted", Unit.COUNT),
    /** A POST /tasks answered from its idempotency key (200, Idempotent-Replayed). */
    IDEMPOTENT_REPLAYS("IdempotentReplays", Unit.COUNT),
    /** A task recorded complete. */
    TASKS_COMPLETED("TasksCompleted", Unit.COUNT),
    /** A task recorded failed, by its error code (e.g. attempts_exhausted, provider_http_400). */
    TASKS_FAILED("TasksFailed", Unit.COUNT, "Reason"),
    /** A provider call that failed transiently and is retried (here or after a release), by error code. */
    RETRIES("Retries", Unit.COUNT, "ErrorClass"),
    /** One provider call's duration. */
    PROVIDER_LATENCY("ProviderLatency", Unit.MILLISECONDS, "Model"),
    INPUT_TOKENS("InputTokens", Unit.COUNT, "Model"),
    OUTPUT_TOKENS("OutputTokens", Unit.COUNT, "Model"),
    /** The task's cost in US dollars (a plain number: CloudWatch has no currency unit). */
    COST_USD("CostUsd", Unit.NONE, "Model"),
    /** From submission to the recorded completion. */
    TIME_TO_COMPLETE("TimeToComplete", Unit.MILLISECONDS),
    /** Messages acknowledged without processing: unparseable bodies and unknown tasks (worker and reconciler). */
    POISON_MESSAGES("PoisonMessages", Unit.COUNT),
    /** Tasks the reconciler failed because their message reached the dead-letter queue. */
    DEAD_LETTERED_TASKS("DeadLetteredTasks", Unit.COUNT),
    /** What one reconciler run did, by action (see {@code Reconciler}). */
    RECONCILER_ACTIONS("ReconcilerActions", Unit.COUNT, "Action"),
    /** A model's circuit breaker changed state, by model and the state it moved to. */
    BREAKER_TRANSITIONS("BreakerTransitions", Unit.COUNT, "Model", "To"),
    /** The breaker's store could not be read, so a call was let through (the breaker failed open). */
    BREAKER_FAIL_OPEN("BreakerFailOpen", Unit.COUNT),
    /** A webhook delivery's outcome: delivered, retrying (a failed call with attempts left) or failed (given up). */
    WEBHOOK_DELIVERIES("WebhookDeliveries", Unit.COUNT, "Outcome"),
    /** How long the longest-open breaker has been open (0 when none is); the reconciler emits it each minute. */
    LONGEST_OPEN_BREAKER_SECONDS("LongestOpenBreakerSeconds", Unit.SECONDS);

    /** The CloudWatch units in use (EMF accepts the CloudWatch MetricDatum units). */
    public enum Unit {
        COUNT("Count"), MILLISECONDS("Milliseconds"), SECONDS("Seconds"), NONE("None");

        private final String value;

        Unit(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    private final String metricName;
    private final Unit unit;
    private final List<String> dimensions;

    Metric(String metricName, Unit unit, String... dimensions) {
        this.metricName = metricName;
        this.unit = unit;
        this.dimensions = List.of(dimensions);
    }

    /** The name in CloudWatch. */
    public String metricName() {
        return metricName;
    }

    public Unit unit() {
        return unit;
    }

    /** The dimensions of its own, besides {@code Service}, in order. */
    public List<String> dimensions() {
        return dimensions;
    }
}
