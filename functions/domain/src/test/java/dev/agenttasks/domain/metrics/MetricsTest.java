package dev.agenttasks.domain.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class MetricsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void writesOneEmbeddedMetricFormatLinePerEmit() throws Exception {
        List<String> lines = new ArrayList<>();
        Metrics metrics = new Metrics("reconciler", lines::add, CLOCK);
        Map<String, Integer> counters = new LinkedHashMap<>();
        counters.put("TasksEnqueued", 3);
        counters.put(Metrics.DEAD_LETTERED_TASKS, 1);

        metrics.emit(counters);
        metrics.emit(Map.of());

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).doesNotContain("\n");
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").path(0);
        assertThat(line.path("_aws").path("Timestamp").asLong()).isEqualTo(CLOCK.millis());
        assertThat(directive.path("Namespace").asText()).isEqualTo("AgentTasks");
        assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"Function\"]]");
        assertThat(directive.path("Metrics").toString())
                .isEqualTo("[{\"Name\":\"TasksEnqueued\",\"Unit\":\"Count\"},{\"Name\":\"DeadLetteredTasks\",\"Unit\":\"Count\"}]");
        assertThat(line.path("Function").asText()).isEqualTo("reconciler");
        assertThat(line.path("TasksEnqueued").asLong()).isEqualTo(3);
        assertThat(line.path("DeadLetteredTasks").asLong()).isEqualTo(1);
    }

    @Test
    void countIsASingleCounterLine() {
        List<String> lines = new ArrayList<>();
        new Metrics("worker", lines::add, CLOCK).count(Metrics.POISON_MESSAGES, 1);

        assertThat(lines).singleElement().satisfies(line -> assertThat(line)
                .contains("\"PoisonMessages\":1").contains("\"Function\":\"worker\""));
    }
}
