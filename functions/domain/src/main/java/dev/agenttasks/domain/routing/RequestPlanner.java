package dev.agenttasks.domain.routing;

import dev.agenttasks.domain.task.TokenLedger;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.routing.PromptBuilder.BuiltPrompt;
import dev.agenttasks.domain.routing.RoutingConfig.Model;
import dev.agenttasks.domain.routing.RoutingConfig.Tier;
import dev.agenttasks.domain.task.TokenUsage;

/**
 * Routing, token budgets and cost for one task, in the three places they apply:
 * <ul>
 *   <li>at submit, {@link #admit}: pick the tier (validating a tier hint) and refuse a task that can never run,
 *       because its system prompt and task alone exceed the tier's input limit or one attempt alone exceeds the
 *       task's {@code max_total_tokens};</li>
 *   <li>before each attempt, {@link #planAttempt}: the prompt within the tier's input limit and what is left of the
 *       task's budget (oldest history dropped first), or {@link BudgetExceeded};</li>
 *   <li>after each attempt, {@link #charge}: what the call cost, reported or estimated, to add to the task's
 *       {@link TokenLedger}.</li>
 * </ul>
 * Limits: a prompt may use {@code min(budget_tokens - reserved_output_tokens, context window - output cap)} of its
 * model, and an attempt may start only if the ledger's total plus the prompt plus the output cap stays within the
 * task's {@code max_total_tokens}. See docs/routing.md.
 */
public final class RequestPlanner {

    private final RoutingConfig config;
    private final TokenCounter tokens;
    private final ModelRouter router;
    private final PromptBuilder prompts;
    private final PriceTable prices;

    public RequestPlanner(RoutingConfig config, TokenCounter tokens) {
        this.config = Objects.requireNonNull(config, "config");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.router = ModelRouter.of(config, tokens);
        this.prompts = new PromptBuilder(tokens);
        this.prices = config.prices();
    }

    /** The built-in configuration with the cl100k_base estimate. */
    public static RequestPlanner ofDefaults() {
        return new RequestPlanner(RoutingConfigLoader.builtIn(), TokenCounter.cl100k());
    }

    public RoutingConfig config() {
        return config;
    }

    public ModelRouter router() {
        return router;
    }

    public PriceTable prices() {
        return prices;
    }

    public TokenCounter tokens() {
        return tokens;
    }

    /** The answer of {@link #admit}: accepted, or one of the reasons a task is refused with a 4xx. */
    public sealed interface Admission permits Accepted, UnknownTier, PromptTooLarge, BudgetTooSmall {
    }

    /** The answer of {@link #planAttempt}: a request to send, or why none may be sent. */
    public sealed interface AttemptPlan permits Ready, PromptTooLarge, BudgetExceeded {
    }

    /**
     * The task may run.
     *
     * @param maxTotalTokens the task's cap across attempts: the caller's, else the tier's default
     */
    public record Accepted(RoutingDecision decision, long maxTotalTokens) implements Admission {
    }

    /** The caller's tier hint names no configured tier. */
    public record UnknownTier(String requested, List<String> allowed) implements Admission {
        public String detail() {
            return "tier \"" + requested + "\" is not configured; use one of " + String.join(", ", allowed);
        }
    }

    /**
     * The system prompt and the task alone are about {@code tokens}, over the tier's input limit: no prompt can be
     * built, however much history is dropped. At submit the limit is the smaller of the primary and fallback models'.
     */
    public record PromptTooLarge(String tier, int tokens, int limit) implements Admission, AttemptPlan {
        public String detail() {
            return "the system prompt and the task are about " + tokens + " tokens; tier " + tier + " accepts at most "
                    + Math.max(0, limit) + " input tokens with this output cap";
        }
    }

    /** One attempt alone (system prompt, task and output cap) needs more than the task's {@code max_total_tokens}. */
    public record BudgetTooSmall(int tokensNeeded, long maxTotalTokens) implements Admission {
        public String detail() {
            return "one attempt needs about " + tokensNeeded + " tokens (system prompt, task and output cap), more than "
                    + "max_total_tokens (" + maxTotalTokens + ")";
        }
    }

    /**
     * The attempt may be sent.
     *
     * @param model           the model to call (the tier's primary or its fallback)
     * @param maxOutputTokens the caller's {@code max_tokens}, else the tier's cap
     */
    public record Ready(Tier tier, Model model, BuiltPrompt prompt, int maxOutputTokens) implements AttemptPlan {
        /** The provider request, with this call's timeout. */
        public LlmRequest request(Duration timeout) {
            return new LlmRequest(model.id(), prompt.messages(), maxOutputTokens, timeout);
        }
    }

    /** Another attempt could overspend the task's cap: the task fails with {@link #CODE}. */
    public record BudgetExceeded(long spentTokens, long maxTotalTokens, int tokensNeeded) implements AttemptPlan {
        public static final String CODE = "budget_exceeded";

        public String detail() {
            return "the task has spent " + spentTokens + " of its " + maxTotalTokens + " tokens; another attempt needs "
                    + "at least " + tokensNeeded + " (system prompt, task and output cap)";
        }
    }

    /**
     * At submit: routes the task and checks it can ever run.
     *
     * @param tierHint       the caller's {@code tier}, if any
     * @param maxTokens      the caller's {@code max_tokens}, if any (else the tier's output cap)
     * @param maxTotalTokens the caller's {@code max_total_tokens}, if any (else the tier's default)
     */
    public Admission admit(Conversation conversation, Optional<String> tierHint, Optional<Integer> maxTokens,
                           Optional<Long> maxTotalTokens) {
        RoutingDecision decision;
        try {
            decision = router.route(conversation, tierHint);
        } catch (UnknownTierException e) {
            return new UnknownTier(e.requested(), e.allowed());
        }
        Tier tier = decision.tier();
        int maxOutput = maxTokens.orElse(tier.maxOutputTokens());
        int limit = tier.inputTokenLimit(decision.model(), maxOutput);
        if (decision.fallback().isPresent()) {
            limit = Math.min(limit, tier.inputTokenLimit(decision.fallback().get(), maxOutput));
        }
        PromptBuilder.Fit fit = prompts.fixedPartFits(conversation, limit);
        if (!fit.fits()) {
            return new PromptTooLarge(tier.name(), fit.tokens(), limit);
        }
        long cap = maxTotalTokens.orElse(tier.maxTotalTokens());
        if ((long) fit.tokens() + maxOutput > cap) {
            // fit.tokens() may be the byte-length bound: count before refusing.
            int needed = tokens.count(conversation.fixedMessages()) + maxOutput;
            if (needed > cap) {
                return new BudgetTooSmall(needed, cap);
            }
        }
        return new Accepted(decision, cap);
    }

    /**
     * Before each attempt: the request to send to {@code model}, or why none may be sent.
     *
     * @param model          {@code decision.model()}, or {@code decision.fallback()} while the primary's breaker is open
     * @param maxTokens      the caller's {@code max_tokens}, if any
     * @param spent          what the task's earlier attempts were charged
     * @param maxTotalTokens the task's cap ({@link Accepted#maxTotalTokens()})
     */
    public AttemptPlan planAttempt(Conversation conversation, RoutingDecision decision, Model model,
                                   Optional<Integer> maxTokens, TokenLedger spent, long maxTotalTokens) {
        Tier tier = decision.tier();
        int maxOutput = maxTokens.orElse(tier.maxOutputTokens());
        int tierLimit = tier.inputTokenLimit(model, maxOutput);
        long budgetLimit = maxTotalTokens - spent.totalTokens() - maxOutput;
        int limit = (int) Math.max(Integer.MIN_VALUE, Math.min(tierLimit, budgetLimit));
        try {
            return new Ready(tier, model, prompts.build(conversation, limit), maxOutput);
        } catch (PromptTooLargeException e) {
            if (e.tokens() > tierLimit) {
                return new PromptTooLarge(tier.name(), e.tokens(), tierLimit);
            }
            return new BudgetExceeded(spent.totalTokens(), maxTotalTokens, e.tokens() + maxOutput);
        }
    }

    /** After an attempt that answered: the provider's usage, or an estimate when it reported none. */
    public AttemptCharge charge(Ready attempt, LlmResponse response) {
        TokenUsage usage = response.usage();
        if (usage != null && usage.totalTokens() > 0) {
            return charge(attempt, usage, AttemptCharge.Basis.REPORTED);
        }
        TokenUsage estimate = new TokenUsage(attempt.prompt().estimatedInputTokens(),
                tokens.count(response.content() == null ? "" : response.content()));
        return charge(attempt, estimate, AttemptCharge.Basis.ESTIMATED);
    }

    /**
     * After an attempt that failed: the prompt's estimate and the whole output cap if the request was sent and no
     * usable answer came back ({@link AttemptCharge#SENT_WITHOUT_ANSWER}), else nothing.
     */
    public AttemptCharge charge(Ready attempt, LlmException error) {
        if (AttemptCharge.SENT_WITHOUT_ANSWER.contains(error.code())) {
            return charge(attempt, new TokenUsage(attempt.prompt().estimatedInputTokens(), attempt.maxOutputTokens()),
                    AttemptCharge.Basis.WORST_CASE);
        }
        return charge(attempt, TokenUsage.NONE, AttemptCharge.Basis.NOT_BILLED);
    }

    private AttemptCharge charge(Ready attempt, TokenUsage usage, AttemptCharge.Basis basis) {
        BigDecimal cost = attempt.model().price().cost(usage);
        return new AttemptCharge(attempt.model().id(), usage, cost, basis);
    }
}
