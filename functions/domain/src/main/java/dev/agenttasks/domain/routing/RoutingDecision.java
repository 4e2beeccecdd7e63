package dev.agenttasks.domain.routing;

import java.util.Objects;
import java.util.Optional;

import dev.agenttasks.domain.routing.RoutingConfig.Model;
import dev.agenttasks.domain.routing.RoutingConfig.Tier;

/**
 * The tier a task runs on and why: a stable {@code reasonCode} (one of the {@code REASON_*} constants) and a sentence
 * for people. Both are meant to be stored on the task and shown by {@code GET /tasks/{id}}.
 *
 * @param model    the tier's primary model
 * @param fallback the model to call while the primary's circuit breaker is open, if the tier has one
 */
public record RoutingDecision(Tier tier, Model model, Optional<Model> fallback, String reasonCode, String reason) {

    /** The caller named the tier ({@code "tier": "..."}). */
    public static final String REASON_TIER_HINT = "tier_hint";
    /** The task names a simple kind of work, is short, and the conversation is small. */
    public static final String REASON_SIMPLE_TASK = "simple_task";
    /** The task names no simple kind of work. */
    public static final String REASON_NO_SIMPLE_KEYWORD = "no_simple_keyword";
    /** The task names a simple kind of work but has too many words. */
    public static final String REASON_TOO_MANY_WORDS = "too_many_words";
    /** The conversation as a whole is estimated above the simple tier's token threshold. */
    public static final String REASON_LONG_CONVERSATION = "long_conversation";
    /** The configuration has no simple rule: every task goes to the default tier. */
    public static final String REASON_DEFAULT_TIER = "default_tier";

    public RoutingDecision {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(reason, "reason");
    }

    public String tierName() {
        return tier.name();
    }
}
