package dev.agenttasks.domain.routing;

import dev.agenttasks.domain.task.TokenLedger;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import dev.agenttasks.domain.routing.RequestPlanner.AttemptPlan;
import dev.agenttasks.domain.routing.RequestPlanner.Ready;
import dev.agenttasks.domain.routing.RoutingConfig.Tier;
import dev.agenttasks.domain.task.TokenUsage;
import dev.agenttasks.json.JsonReader;
import dev.agenttasks.json.JsonValue;

/**
 * What routing does to a workload: each task's tier and reason, its estimated prompt, and the estimated cost with
 * routing against every task on the most expensive tier's model. Run by {@code bench/routing-report.sh}.
 *
 * <p>A workload is JSON Lines, one task per line: {@code {"id", "task", "system"?, "messages"?, "tier"?, "max_tokens"?,
 * "output_tokens"?}}. {@code output_tokens} is the answer's expected length, the same in both columns
 * ({@value #DEFAULT_OUTPUT_TOKENS} when absent, never more than the output cap); input tokens are the prompt builder's
 * cl100k_base estimate, so the figures are estimates of list-price cost, not bills.
 */
public final class RoutingReport {

    public static final int DEFAULT_OUTPUT_TOKENS = 250;

    /** One task of the workload. */
    public record WorkloadTask(String id, Conversation conversation, Optional<String> tier, Optional<Integer> maxTokens,
                               int outputTokens) {
    }

    /** One task's line in the report. */
    public record Row(String id, String tier, String reasonCode, String reason, int inputTokens, int droppedMessages,
                      int outputTokens, BigDecimal routedCost, BigDecimal largestCost) {
    }

    /** A tier's share of the workload: its tasks and their cost there and on the largest model. */
    public record TierTotal(int tasks, BigDecimal routedCost, BigDecimal largestCost) {
        TierTotal plus(Row row) {
            return new TierTotal(tasks + 1, routedCost.add(row.routedCost()), largestCost.add(row.largestCost()));
        }
    }

    /** The whole report: the rows, the tier whose model the comparison uses, and the totals. */
    public record Report(List<Row> rows, String largestTier, String largestModel, BigDecimal routedCost,
                         BigDecimal largestCost, Map<String, TierTotal> perTier) {
        /** The share of the all-on-the-largest-model cost that routing saves, in percent. */
        public BigDecimal savingPercent() {
            return saving(routedCost, largestCost);
        }
    }

    private final RequestPlanner planner;

    /** {@code 1 - routed / largest}, in percent to one decimal. */
    static BigDecimal saving(BigDecimal routed, BigDecimal largest) {
        if (largest.signum() == 0) {
            return BigDecimal.ZERO;
        }
        return BigDecimal.ONE.subtract(routed.divide(largest, 10, RoundingMode.HALF_UP))
                .multiply(BigDecimal.valueOf(100)).setScale(1, RoundingMode.HALF_UP);
    }

    public RoutingReport(RequestPlanner planner) {
        this.planner = planner;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1 && !(args.length == 3 && "--config".equals(args[1]))) {
            System.err.println("usage: RoutingReport <workload.jsonl> [--config <routing.json>]");
            System.exit(2);
        }
        RoutingConfig config = args.length == 3 ? RoutingConfigLoader.fromFile(Path.of(args[2])) : RoutingConfigLoader.builtIn();
        RoutingReport report = new RoutingReport(new RequestPlanner(config, TokenCounter.cl100k()));
        report.print(report.run(readWorkload(Path.of(args[0]))), config, System.out);
    }

    public Report run(List<WorkloadTask> workload) {
        RoutingConfig config = planner.config();
        Tier largest = config.mostExpensiveTier();
        List<Row> rows = new ArrayList<>();
        BigDecimal routedTotal = BigDecimal.ZERO;
        BigDecimal largestTotal = BigDecimal.ZERO;
        Map<String, TierTotal> perTier = new LinkedHashMap<>();
        config.tierNames().forEach(name -> perTier.put(name, new TierTotal(0, BigDecimal.ZERO, BigDecimal.ZERO)));
        for (WorkloadTask task : workload) {
            RoutingDecision routed = planner.router().route(task.conversation(), task.tier());
            RoutingDecision onLargest = planner.router().decision(largest, RoutingDecision.REASON_TIER_HINT, "comparison");
            Ready routedPlan = ready(task, routed);
            Ready largestPlan = ready(task, onLargest);
            BigDecimal routedCost = cost(routedPlan, task.outputTokens());
            BigDecimal largestCost = cost(largestPlan, task.outputTokens());
            Row row = new Row(task.id(), routed.tierName(), routed.reasonCode(), routed.reason(),
                    routedPlan.prompt().estimatedInputTokens(), routedPlan.prompt().droppedMessages(),
                    Math.min(task.outputTokens(), routedPlan.maxOutputTokens()), routedCost, largestCost);
            rows.add(row);
            routedTotal = routedTotal.add(routedCost);
            largestTotal = largestTotal.add(largestCost);
            perTier.compute(routed.tierName(), (tier, total) -> total.plus(row));
        }
        return new Report(rows, largest.name(), largest.model(), routedTotal, largestTotal, perTier);
    }

    public void print(Report report, RoutingConfig config, PrintStream out) {
        out.println("Routing configuration: " + config.source() + "; token estimate: " + planner.tokens().name());
        out.println();
        out.println("| task | tier | reason | input tokens | dropped | output tokens | routed USD | on " + report.largestModel()
                + " USD |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (Row row : report.rows()) {
            out.println("| " + row.id() + " | " + row.tier() + " | " + row.reasonCode() + " | " + row.inputTokens() + " | "
                    + row.droppedMessages() + " | " + row.outputTokens() + " | " + usd(row.routedCost()) + " | "
                    + usd(row.largestCost()) + " |");
        }
        out.println();
        out.println("| tier | tasks | routed USD | on " + report.largestModel() + " USD | saved |");
        out.println("|---|---|---|---|---|");
        report.perTier().forEach((tier, total) -> out.println("| " + tier + " | " + total.tasks() + " | "
                + usd(total.routedCost()) + " | " + usd(total.largestCost()) + " | "
                + saving(total.routedCost(), total.largestCost()) + "% |"));
        out.println("| all | " + report.rows().size() + " | " + usd(report.routedCost()) + " | "
                + usd(report.largestCost()) + " | " + report.savingPercent() + "% |");
        out.println();
        out.println("Reasons:");
        for (Row row : report.rows()) {
            out.println("  " + row.id() + ": " + row.reason());
        }
    }

    /** Reads a JSON Lines workload; blank lines and lines starting with {@code #} are skipped. */
    public static List<WorkloadTask> readWorkload(Path file) throws IOException {
        List<WorkloadTask> tasks = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                tasks.add(task(JsonReader.tolerant().read(line), "line" + (i + 1)));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return tasks;
    }

    private static WorkloadTask task(JsonValue node, String defaultId) {
        if (!node.path("task").isString()) {
            throw new IllegalArgumentException("\"task\" must be a string");
        }
        List<ChatMessage> history = new ArrayList<>();
        for (JsonValue message : node.path("messages").elements()) {
            history.add(new ChatMessage(message.path("role").asText(), message.path("content").asText()));
        }
        Conversation conversation = new Conversation(node.path("system").asText(""), history, node.path("task").asText());
        return new WorkloadTask(node.path("id").asText(defaultId), conversation,
                Optional.of(node.path("tier")).filter(tier -> !tier.isMissing()).map(JsonValue::asText),
                Optional.of(node.path("max_tokens")).filter(max -> !max.isMissing()).map(JsonValue::asInt),
                node.path("output_tokens").asInt(DEFAULT_OUTPUT_TOKENS));
    }

    private Ready ready(WorkloadTask task, RoutingDecision decision) {
        AttemptPlan plan = planner.planAttempt(task.conversation(), decision, decision.model(), task.maxTokens(),
                TokenLedger.EMPTY, decision.tier().maxTotalTokens());
        if (plan instanceof Ready ready) {
            return ready;
        }
        throw new IllegalArgumentException("task " + task.id() + " cannot run on tier " + decision.tierName() + ": " + plan);
    }

    private static BigDecimal cost(Ready plan, int outputTokens) {
        return plan.model().price().cost(new TokenUsage(plan.prompt().estimatedInputTokens(),
                Math.min(outputTokens, plan.maxOutputTokens())));
    }

    private static String usd(BigDecimal amount) {
        return amount.setScale(6, RoundingMode.HALF_UP).toPlainString();
    }
}
