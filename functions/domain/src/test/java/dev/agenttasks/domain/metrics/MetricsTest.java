package dev.agenttasks.domain.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class MetricsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> lines = new ArrayList<>();
    private final Metrics metrics = new Metrics("agent-tasks-prod", lines::add, CLOCK);

    private static JsonNode parse(String line) throws Exception {
        return JSON.readTree(line);
    }

    @Test
    void aMetricWithoutDimensionsOfItsOwnIsOneLineWithTheServiceDimension() throws Exception {
        metrics.put(Metric.POISON_MESSAGES, 1);

        assertThat(lines).singleElement().satisfies(line -> assertThat(EmfSpecification.violations(line)).isEmpty());
        JsonNode line = parse(lines.get(0));
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").path(0);
        assertThat(line.path("_aws").path("Timestamp").asLong()).isEqualTo(CLOCK.millis());
        assertThat(directive.path("Namespace").asText()).isEqualTo("AgentTasks");
        assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"Service\"]]");
        assertThat(directive.path("Metrics").toString()).isEqualTo("[{\"Name\":\"PoisonMessages\",\"Unit\":\"Count\"}]");
        assertThat(line.path("Service").asText()).isEqualTo("agent-tasks-prod");
        assertThat(line.path("PoisonMessages").isIntegralNumber()).isTrue();
        assertThat(line.path("PoisonMessages").asLong()).isEqualTo(1);
    }

    @Test
    void metricsSharingDimensionValuesShareALineAndRollUpToTheServiceAlone() throws Exception {
        metrics.line("Model", "llama-3.3-70b-versatile")
                .put(Metric.PROVIDER_LATENCY, 812)
                .put(Metric.INPUT_TOKENS, 120)
                .put(Metric.OUTPUT_TOKENS, 300)
                .put(Metric.COST_USD, 0.00030780)
                .emit();

        assertThat(lines).singleElement().satisfies(line -> assertThat(EmfSpecification.violations(line)).isEmpty());
        JsonNode line = parse(lines.get(0));
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").path(0);
        assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"Service\",\"Model\"],[\"Service\"]]");
        assertThat(directive.path("Metrics").toString()).isEqualTo("[{\"Name\":\"ProviderLatency\",\"Unit\":\"Milliseconds\"},"
                + "{\"Name\":\"InputTokens\",\"Unit\":\"Count\"},{\"Name\":\"OutputTokens\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"CostUsd\",\"Unit\":\"None\"}]");
        assertThat(line.path("Model").asText()).isEqualTo("llama-3.3-70b-versatile");
        assertThat(line.path("CostUsd").asDouble()).isEqualTo(0.0003078);
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void everyMetricOfTheCatalogMakesAValidLine(Metric metric) {
        Map<String, String> dimensions = new HashMap<>();
        metric.dimensions().forEach(name -> dimensions.put(name, "some-" + name.toLowerCase()));

        metrics.line(dimensions).put(metric, 2).emit();

        assertThat(lines).singleElement().satisfies(line -> {
            assertThat(EmfSpecification.violations(line)).isEmpty();
            assertThat(parse(line).path(metric.metricName()).asLong()).isEqualTo(2);
        });
    }

    @Test
    void aMetricPutOnALineWithOtherDimensionsIsRefused() {
        assertThatThrownBy(() -> metrics.line().put(Metric.TASKS_FAILED, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Reason");
        assertThatThrownBy(() -> metrics.line("Model", "m").put(Metric.TASKS_COMPLETED, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.put(Metric.BREAKER_TRANSITIONS, 1, "m"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.put(Metric.TASKS_COMPLETED, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(lines).isEmpty();
    }

    @Test
    void valuesOfOneMetricOnOneLineAddUpAndAnEmptyLineWritesNothing() throws Exception {
        metrics.line().emit();
        metrics.line().put(Metric.TASKS_COMPLETED, 1).put(Metric.TASKS_COMPLETED, 2).emit();

        assertThat(lines).hasSize(1);
        assertThat(parse(lines.get(0)).path("TasksCompleted").asLong()).isEqualTo(3);
    }

    @Test
    void aBlankOrOverlongDimensionValueStillMakesAValidLine() throws Exception {
        metrics.put(Metric.TASKS_FAILED, 1, " ");
        metrics.put(Metric.RETRIES, 1, "x".repeat(2_000));

        assertThat(lines).allSatisfy(line -> assertThat(EmfSpecification.violations(line)).isEmpty());
        assertThat(parse(lines.get(0)).path("Reason").asText()).isEqualTo("unknown");
        assertThat(parse(lines.get(1)).path("ErrorClass").asText()).hasSize(1024);
    }

    @Test
    void thirtyDimensionsAtMost() {
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < Metrics.MAX_DIMENSIONS; i++) {
            many.put("D" + i, "v");
        }
        assertThatThrownBy(() -> metrics.line(many)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCheckerCatchesLinesThatBreakTheSpecification() {
        assertThat(EmfSpecification.violations("not json")).isNotEmpty();
        assertThat(EmfSpecification.violations("{\"Service\":\"a\"}")).contains("no _aws metadata object");
        assertThat(EmfSpecification.violations("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\","
                + "\"Dimensions\":[[\"Service\"]],\"Metrics\":[{\"Name\":\"M\",\"Unit\":\"Furlongs\"}]}]},\"M\":1}"))
                .contains("dimension \"Service\" has no string member at the root",
                        "metric M has unit \"Furlongs\", not a CloudWatch unit");
        assertThat(EmfSpecification.violations("{\"_aws\":{\"CloudWatchMetrics\":[{\"Namespace\":\"N\","
                + "\"Dimensions\":[],\"Metrics\":[{\"Name\":\"M\"}]}]},\"M\":\"1\"}"))
                .contains("_aws.Timestamp must be a positive number of milliseconds since the epoch",
                        "metric M is not a number at the root");
    }
}
