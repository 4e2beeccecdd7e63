package dev.agenttasks.domain.metrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import dev.agenttasks.json.JsonWriter;

/**
 * A small writer of CloudWatch Embedded Metric Format: each {@link Line} is one JSON object on one line of standard
 * output, which Lambda ships to CloudWatch Logs, where it becomes metrics with no API call and no agent.
 *
 * <p>Every line is in namespace {@value #NAMESPACE} with the dimension {@value #SERVICE_DIMENSION} (the service's
 * name: the stack's in AWS, {@value #DEFAULT_SERVICE} elsewhere) plus the dimensions of the metrics it carries; a
 * line with dimensions of its own is also published under {@code Service} alone, so alarms can watch totals.
 * Metrics that share dimension values share a line.
 *
 * <pre>{@code
 * metrics.put(Metric.POISON_MESSAGES, 1);
 * metrics.put(Metric.TASKS_FAILED, 1, "attempts_exhausted");
 * metrics.line("Model", model).put(Metric.PROVIDER_LATENCY, ms).put(Metric.INPUT_TOKENS, in).emit();
 * }</pre>
 *
 * @see <a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html">EMF specification</a>
 */
public final class Metrics {

    public static final String NAMESPACE = "AgentTasks";
    public static final String SERVICE_DIMENSION = "Service";
    public static final String DEFAULT_SERVICE = "agent-tasks";
    /** EMF: at most 30 dimensions in a dimension set. */
    public static final int MAX_DIMENSIONS = 30;
    /** EMF: at most 100 metrics in a directive; a longer line is split. */
    public static final int MAX_METRICS_PER_DIRECTIVE = 100;
    /** CloudWatch: a dimension value is 1 to 1024 characters. */
    static final int MAX_DIMENSION_VALUE = 1024;
    static final String UNKNOWN = "unknown";

    private final String service;
    private final Consumer<String> sink;
    private final Clock clock;

    public Metrics(String service, Consumer<String> sink, Clock clock) {
        this.service = dimensionValue(Objects.requireNonNull(service, "service"));
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Lines on standard output, as Lambda expects them. */
    public static Metrics toStandardOutput(String service, Clock clock) {
        return new Metrics(service, line -> {
            System.out.println(line);
            System.out.flush();
        }, clock);
    }

    /** Emits nothing (for callers that do not care). */
    public static Metrics discarding() {
        return new Metrics(DEFAULT_SERVICE, line -> { }, Clock.systemUTC());
    }

    /** One metric that has no dimensions of its own, on its own line. */
    public void put(Metric metric, double value) {
        line().put(metric, value).emit();
    }

    /** One metric with one dimension of its own ({@code dimensionValue} for it), on its own line. */
    public void put(Metric metric, double value, String dimensionValue) {
        if (metric.dimensions().size() != 1) {
            throw new IllegalArgumentException(metric.metricName() + " has dimensions " + metric.dimensions());
        }
        line(metric.dimensions().get(0), dimensionValue).put(metric, value).emit();
    }

    /** A line with only the {@code Service} dimension. */
    public Line line() {
        return line(Map.of());
    }

    public Line line(String dimension, String value) {
        return line(Map.of(dimension, value == null ? UNKNOWN : value));
    }

    /** A line with these dimensions of its own (besides {@code Service}); every metric put on it must have them. */
    public Line line(Map<String, String> dimensions) {
        return new Line(dimensions);
    }

    /** Metrics that share one set of dimension values; {@link #emit()} writes them. */
    public final class Line {
        private final Map<String, String> dimensions = new LinkedHashMap<>();
        private final Map<Metric, Double> values = new LinkedHashMap<>();

        private Line(Map<String, String> own) {
            if (own.size() + 1 > MAX_DIMENSIONS) {
                throw new IllegalArgumentException("at most " + MAX_DIMENSIONS + " dimensions, got " + (own.size() + 1));
            }
            own.keySet().stream().sorted().forEach(name -> {
                if (name.isBlank() || name.equals(SERVICE_DIMENSION)) {
                    throw new IllegalArgumentException("invalid dimension name '" + name + "'");
                }
                dimensions.put(name, dimensionValue(own.get(name)));
            });
        }

        /** Adds (or, for a metric already on the line, adds to) a value; its dimensions must be the line's. */
        public Line put(Metric metric, double value) {
            if (!dimensions.keySet().equals(new HashSet<>(metric.dimensions()))) {
                throw new IllegalArgumentException(metric.metricName() + " needs dimensions " + metric.dimensions()
                        + ", the line has " + dimensions.keySet());
            }
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(metric.metricName() + " must be a finite number, got " + value);
            }
            values.merge(metric, value, Double::sum);
            return this;
        }

        /** Writes the line (several, if it holds more than {@value #MAX_METRICS_PER_DIRECTIVE} metrics); none if empty. */
        public void emit() {
            List<Map.Entry<Metric, Double>> entries = new ArrayList<>(values.entrySet());
            for (int from = 0; from < entries.size(); from += MAX_METRICS_PER_DIRECTIVE) {
                sink.accept(render(entries.subList(from, Math.min(entries.size(), from + MAX_METRICS_PER_DIRECTIVE))));
            }
        }

        private String render(List<Map.Entry<Metric, Double>> entries) {
            List<List<String>> sets = new ArrayList<>();
            List<String> full = new ArrayList<>();
            full.add(SERVICE_DIMENSION);
            full.addAll(dimensions.keySet());
            sets.add(full);
            if (!dimensions.isEmpty()) {
                sets.add(List.of(SERVICE_DIMENSION));
            }
            List<Map<String, Object>> definitions = new ArrayList<>();
            Map<String, Object> directive = new LinkedHashMap<>();
            directive.put("Namespace", NAMESPACE);
            directive.put("Dimensions", sets);
            directive.put("Metrics", definitions);
            Map<String, Object> aws = new LinkedHashMap<>();
            aws.put("Timestamp", clock.millis());
            aws.put("CloudWatchMetrics", List.of(directive));
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("_aws", aws);
            root.put(SERVICE_DIMENSION, service);
            root.putAll(dimensions);
            for (Map.Entry<Metric, Double> entry : entries) {
                Metric metric = entry.getKey();
                Map<String, Object> definition = new LinkedHashMap<>();
                definition.put("Name", metric.metricName());
                definition.put("Unit", metric.unit().value());
                definitions.add(definition);
                double value = entry.getValue();
                if (value == Math.rint(value) && Math.abs(value) < 1e15) {
                    root.put(metric.metricName(), (long) value);
                } else {
                    root.put(metric.metricName(), value);
                }
            }
            return JsonWriter.compact().write(root);
        }
    }

    /** CloudWatch needs 1 to 1024 characters with something other than whitespace. */
    static String dimensionValue(String value) {
        if (value == null || value.isBlank()) {
            return UNKNOWN;
        }
        return value.length() > MAX_DIMENSION_VALUE ? value.substring(0, MAX_DIMENSION_VALUE) : value;
    }
}
