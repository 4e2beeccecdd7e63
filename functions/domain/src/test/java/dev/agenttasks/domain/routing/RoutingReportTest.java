package dev.agenttasks.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agenttasks.domain.routing.RoutingReport.Report;
import dev.agenttasks.domain.routing.RoutingReport.Row;

/** The report over the example workload shipped in docs/ (the figures in docs/benchmarks.md). */
class RoutingReportTest {

    private static final Path EXAMPLE = Path.of("../../docs/example-workload.jsonl");

    private final RoutingReport report = new RoutingReport(RequestPlanner.ofDefaults());

    @Test
    void theExampleWorkloadIsRoutedTaskByTaskWithItsReasons() throws IOException {
        Report result = report.run(RoutingReport.readWorkload(EXAMPLE));
        Map<String, Row> rows = result.rows().stream().collect(Collectors.toMap(Row::id, Function.identity()));

        assertThat(result.rows()).hasSizeBetween(30, 50);
        assertThat(rows.get("t01").tier()).isEqualTo("simple");
        assertThat(rows.get("t16").reasonCode()).isEqualTo(RoutingDecision.REASON_NO_SIMPLE_KEYWORD);
        assertThat(rows.get("t22").reasonCode()).isEqualTo(RoutingDecision.REASON_TOO_MANY_WORDS);
        assertThat(rows.get("t29").reasonCode()).isEqualTo(RoutingDecision.REASON_TIER_HINT);
        assertThat(rows.get("t30").tier()).as("a hint wins over the heuristic").isEqualTo("simple");
        assertThat(rows.get("t38").reasonCode()).isEqualTo(RoutingDecision.REASON_LONG_CONVERSATION);
        assertThat(rows.get("t40").droppedMessages()).as("the longest conversation is trimmed to the budget").isPositive();
        assertThat(rows.get("t40").inputTokens()).isLessThanOrEqualTo(6_000 - 800);
        assertThat(result.rows()).allSatisfy(row ->
                assertThat(row.routedCost()).isLessThanOrEqualTo(row.largestCost()));
        assertThat(result.largestModel()).isEqualTo("llama-3.3-70b-versatile");
        assertThat(result.routedCost()).isLessThan(result.largestCost());
        assertThat(RoutingReport.saving(result.perTier().get("simple").routedCost(),
                result.perTier().get("simple").largestCost())).as("the 8B model's prices are a tenth of the 70B's")
                .isGreaterThan(new BigDecimal("85"));
    }

    @Test
    void thePrintedReportHasATableTotalsAndReasons() throws IOException {
        Report result = report.run(RoutingReport.readWorkload(EXAMPLE));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        report.print(result, RoutingConfigLoader.builtIn(), new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).startsWith("Routing configuration: built-in routing.json; token estimate: cl100k_base")
                .contains("| t01 | simple | simple_task |")
                .contains("| all | " + result.rows().size() + " | ")
                .contains("  t38: the conversation is about ");
    }

    @Test
    void aBadLineIsNamedByItsNumber(@TempDir Path dir) throws IOException {
        Path workload = dir.resolve("w.jsonl");
        Files.writeString(workload, "# comment\n{\"id\": \"a\", \"task\": \"What is x?\"}\n{\"id\": \"b\"}\n");

        assertThatThrownBy(() -> RoutingReport.readWorkload(workload))
                .hasMessage(workload + " line 3: \"task\" must be a string");
    }
}
