package dev.agenttasks.domain.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The structural rules of CloudWatch's Embedded Metric Format specification, as a checker of one log line: what
 * CloudWatch Logs needs to turn the line into metrics (otherwise it keeps the line and drops the metrics silently).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
public final class EmfSpecification {

    /** The units a MetricDefinition may name (CloudWatch's StandardUnit values). */
    public static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
            "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
            "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
            "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second",
            "None");
    static final int MAX_DIMENSIONS_PER_SET = 30;
    static final int MAX_METRICS_PER_DIRECTIVE = 100;
    static final int MAX_VALUES_PER_METRIC = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    private EmfSpecification() {
    }

    /** Every rule the line breaks; empty for a valid EMF line. */
    public static List<String> violations(String line) {
        List<String> problems = new ArrayList<>();
        if (line.contains("\n")) {
            problems.add("an EMF document is one line");
        }
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (Exception e) {
            problems.add("not JSON: " + e.getMessage());
            return problems;
        }
        if (root == null || !root.isObject()) {
            problems.add("the root is not a JSON object");
            return problems;
        }
        JsonNode aws = root.get("_aws");
        if (aws == null || !aws.isObject()) {
            problems.add("no _aws metadata object");
            return problems;
        }
        JsonNode timestamp = aws.get("Timestamp");
        if (timestamp == null || !timestamp.canConvertToLong() || timestamp.asLong() <= 0) {
            problems.add("_aws.Timestamp must be a positive number of milliseconds since the epoch");
        }
        JsonNode directives = aws.get("CloudWatchMetrics");
        if (directives == null || !directives.isArray()) {
            problems.add("_aws.CloudWatchMetrics must be an array of metric directives");
            return problems;
        }
        for (JsonNode directive : directives) {
            String namespace = directive.path("Namespace").isTextual() ? directive.get("Namespace").asText() : "";
            if (namespace.isEmpty() || namespace.length() > 1024) {
                problems.add("Namespace must be a string of 1 to 1024 characters");
            }
            JsonNode dimensionSets = directive.get("Dimensions");
            if (dimensionSets == null || !dimensionSets.isArray()) {
                problems.add("Dimensions must be an array of dimension sets");
            } else {
                for (JsonNode set : dimensionSets) {
                    if (!set.isArray()) {
                        problems.add("a dimension set must be an array of names");
                        continue;
                    }
                    if (set.size() > MAX_DIMENSIONS_PER_SET) {
                        problems.add("a dimension set has " + set.size() + " dimensions (at most " + MAX_DIMENSIONS_PER_SET + ")");
                    }
                    for (JsonNode name : set) {
                        JsonNode member = root.get(name.asText());
                        if (!name.isTextual() || member == null || !member.isTextual()) {
                            problems.add("dimension " + name + " has no string member at the root");
                        } else if (member.asText().isBlank() || member.asText().length() > 1024) {
                            problems.add("dimension " + name + " must have a value of 1 to 1024 characters");
                        }
                    }
                }
            }
            JsonNode metrics = directive.get("Metrics");
            if (metrics == null || !metrics.isArray()) {
                problems.add("Metrics must be an array of metric definitions");
                continue;
            }
            if (metrics.size() > MAX_METRICS_PER_DIRECTIVE) {
                problems.add("a directive has " + metrics.size() + " metrics (at most " + MAX_METRICS_PER_DIRECTIVE + ")");
            }
            Set<String> names = new HashSet<>();
            for (JsonNode definition : metrics) {
                String name = definition.path("Name").asText("");
                if (name.isEmpty() || name.length() > 1024) {
                    problems.add("a metric definition needs a Name of 1 to 1024 characters");
                    continue;
                }
                if (!names.add(name)) {
                    problems.add("metric " + name + " is defined twice in one directive");
                }
                JsonNode unit = definition.get("Unit");
                if (unit != null && !UNITS.contains(unit.asText())) {
                    problems.add("metric " + name + " has unit " + unit + ", not a CloudWatch unit");
                }
                JsonNode resolution = definition.get("StorageResolution");
                if (resolution != null && resolution.asInt() != 1 && resolution.asInt() != 60) {
                    problems.add("metric " + name + " StorageResolution must be 1 or 60");
                }
                JsonNode value = root.get(name);
                if (value == null) {
                    problems.add("metric " + name + " has no member at the root");
                } else if (value.isArray()) {
                    if (value.size() > MAX_VALUES_PER_METRIC) {
                        problems.add("metric " + name + " has more than " + MAX_VALUES_PER_METRIC + " values");
                    }
                    for (Iterator<JsonNode> it = value.elements(); it.hasNext(); ) {
                        if (!it.next().isNumber()) {
                            problems.add("metric " + name + " has a value that is not a number");
                        }
                    }
                } else if (!value.isNumber()) {
                    problems.add("metric " + name + " is not a number at the root");
                }
            }
        }
        return problems;
    }
}
