package dev.agenttasks.domain.metrics;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Counters as CloudWatch Embedded Metric Format log lines: one JSON object per {@link #emit}, written to
 * standard output, which Lambda ships to CloudWatch Logs, where it becomes metrics with no API call and no
 * agent. Every metric is a {@code Count} in {@value #NAMESPACE} with one dimension, {@code Function}.
 *
 * @see <a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html">EMF specification</a>
 */
public final class Metrics {

    public static final String NAMESPACE = "AgentTasks";
    public static final String DIMENSION = "Function";

    /** Messages acknowledged without processing: unparseable bodies and unknown tasks. */
    public static final String POISON_MESSAGES = "PoisonMessages";
    /** Tasks the reconciler failed because their message reached the dead-letter queue. */
    public static final String DEAD_LETTERED_TASKS = "DeadLetteredTasks";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String function;
    private final Consumer<String> sink;
    private final Clock clock;

    public Metrics(String function, Consumer<String> sink, Clock clock) {
        this.function = Objects.requireNonNull(function, "function");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Lines on standard output, as Lambda expects them. */
    public static Metrics toStandardOutput(String function, Clock clock) {
        return new Metrics(function, line -> {
            System.out.println(line);
            System.out.flush();
        }, clock);
    }

    /** Emits nothing (for callers that do not care). */
    public static Metrics discarding() {
        return new Metrics("none", line -> { }, Clock.systemUTC());
    }

    public void count(String name, long value) {
        emit(Map.of(name, value));
    }

    /** One EMF line carrying every counter given (an empty map emits nothing). */
    public void emit(Map<String, ? extends Number> counters) {
        if (counters.isEmpty()) {
            return;
        }
        sink.accept(line(new LinkedHashMap<>(counters)));
    }

    String line(Map<String, ? extends Number> counters) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray().add(DIMENSION);
        ArrayNode definitions = directive.putArray("Metrics");
        root.put(DIMENSION, function);
        counters.forEach((name, value) -> {
            definitions.addObject().put("Name", name).put("Unit", "Count");
            root.put(name, value.longValue());
        });
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a metrics line", e);
        }
    }
}
