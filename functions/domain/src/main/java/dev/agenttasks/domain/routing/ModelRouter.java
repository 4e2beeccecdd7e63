package dev.agenttasks.domain.routing;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import dev.agenttasks.domain.routing.RoutingConfig.SimpleRule;
import dev.agenttasks.domain.routing.RoutingConfig.Tier;

/**
 * Picks a task's tier from the routing configuration's rules, in this order:
 * <ol>
 *   <li>a tier the caller names wins, if it is configured ({@link UnknownTierException} otherwise);</li>
 *   <li>the seed's heuristic: a task naming one of the simple kinds of work ("what is", "define", ...) in fewer than
 *       20 words goes to the simple tier...</li>
 *   <li>...unless the whole conversation (system prompt, history and task) is estimated above the rule's token
 *       threshold: long conversations are never simple;</li>
 *   <li>everything else goes to the default tier.</li>
 * </ol>
 * The decision carries a stable reason code and a sentence ({@link RoutingDecision}).
 */
public final class ModelRouter {

    private final RoutingConfig config;
    private final TokenCounter tokens;

    private ModelRouter(RoutingConfig config, TokenCounter tokens) {
        this.config = Objects.requireNonNull(config, "config");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    public static ModelRouter of(RoutingConfig config, TokenCounter tokens) {
        return new ModelRouter(config, tokens);
    }

    /** The built-in configuration with the cl100k_base estimate. */
    public static ModelRouter ofDefaults() {
        return of(RoutingConfigLoader.builtIn(), TokenCounter.cl100k());
    }

    public RoutingConfig config() {
        return config;
    }

    /**
     * The tier for {@code conversation}.
     *
     * @param tierHint the caller's {@code tier}, if any
     * @throws UnknownTierException if the hint names no configured tier
     */
    public RoutingDecision route(Conversation conversation, Optional<String> tierHint) {
        if (tierHint.isPresent()) {
            Tier tier = tier(tierHint.get());
            return decision(tier, RoutingDecision.REASON_TIER_HINT, "the caller asked for tier " + tier.name());
        }
        Optional<SimpleRule> rule = config.rules().simple();
        if (rule.isEmpty()) {
            return decision(config.defaultTier(), RoutingDecision.REASON_DEFAULT_TIER,
                    "no simple rule is configured; every task goes to tier " + config.rules().defaultTier());
        }
        SimpleRule simple = rule.get();
        Optional<String> keyword = firstKeyword(conversation.task(), simple);
        int words = wordCount(conversation.task());
        if (keyword.isEmpty()) {
            return decision(config.defaultTier(), RoutingDecision.REASON_NO_SIMPLE_KEYWORD,
                    "the task names none of the simple kinds of work");
        }
        if (words >= simple.fewerWordsThan()) {
            return decision(config.defaultTier(), RoutingDecision.REASON_TOO_MANY_WORDS, "the task names \""
                    + keyword.get() + "\" but has " + words + " words (" + simple.fewerWordsThan() + " or more)");
        }
        // Counting tokens costs a tokenizer pass; a conversation under the threshold even at a token per byte skips it.
        if (TokenCounter.upperBound(conversation.messages()) > simple.maxEstimatedTokens()) {
            int estimated = tokens.count(conversation.messages());
            if (estimated > simple.maxEstimatedTokens()) {
                return decision(config.defaultTier(), RoutingDecision.REASON_LONG_CONVERSATION, "the conversation is about "
                        + estimated + " tokens, over the " + simple.maxEstimatedTokens() + " a simple task may have");
            }
        }
        return decision(config.tier(simple.tier()).orElseThrow(), RoutingDecision.REASON_SIMPLE_TASK, "the task names \""
                + keyword.get() + "\" and has " + words + " words (fewer than " + simple.fewerWordsThan() + ")");
    }

    /**
     * The configured tier named {@code name}: validates a caller's tier hint at submit, or resolves a tier stored
     * on a task.
     *
     * @throws UnknownTierException if no tier has that name
     */
    public Tier tier(String name) {
        return config.tier(name).orElseThrow(() -> new UnknownTierException(name, config.tierNames()));
    }

    /** A decision for a tier already chosen (e.g. stored on the task at submit), with the stored reason. */
    public RoutingDecision decision(Tier tier, String reasonCode, String reason) {
        return new RoutingDecision(tier, config.modelOf(tier), config.fallbackOf(tier), reasonCode, reason);
    }

    /**
     * The seed's single-message route: the task alone, no hint. Kept for callers that take a model and an output cap
     * only; {@link #route(Conversation, Optional)} is the full decision.
     */
    public ModelRoute route(String task) {
        RoutingDecision decision = route(Conversation.of("", task), Optional.empty());
        return new ModelRoute(decision.model().id(), decision.tier().maxOutputTokens(), decision.tierName());
    }

    private static Optional<String> firstKeyword(String task, SimpleRule rule) {
        String lower = task.toLowerCase(Locale.ROOT);
        return rule.keywords().stream().filter(lower::contains).findFirst();
    }

    /** Words as Python's {@code str.split()} counts them: runs of non-whitespace. */
    static int wordCount(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
