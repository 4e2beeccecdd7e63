package dev.agenttasks.domain.routing;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.agenttasks.config.Config.LlmProvider;
import dev.agenttasks.domain.routing.PriceTable.Price;

/**
 * Where tasks go and what they may spend: the models (provider, context window, price), the tiers (a model, an
 * optional fallback model, output cap and token budgets) and the rules that pick a tier. Built by
 * {@link RoutingConfigLoader}, which checks every invariant stated here; the format is in docs/routing.md.
 *
 * @param source where it came from ({@code built-in routing.json}, {@code file /etc/routing.json},
 *               {@code SSM parameter /agent-tasks/routing}), for messages
 */
public record RoutingConfig(String source, Map<String, Model> models, Map<String, Tier> tiers, Rules rules) {

    public RoutingConfig {
        Objects.requireNonNull(source, "source");
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        tiers = Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
        Objects.requireNonNull(rules, "rules");
    }

    /**
     * A model a tier may call.
     *
     * @param provider the provider serving it; empty: the service's {@code LLM_PROVIDER}
     */
    public record Model(String id, Optional<LlmProvider> provider, int contextWindowTokens, Price price) {
    }

    /**
     * A tier: the model it calls, the model to call instead when that one's circuit breaker is open, the default
     * output cap, and its budgets.
     *
     * @param budgetTokens         one request's budget: the prompt gets {@code budgetTokens - reservedOutputTokens}
     * @param reservedOutputTokens the part of the budget kept for the answer (at least {@code maxOutputTokens})
     * @param maxTotalTokens       what one task may spend across all its attempts, unless the caller sets less or more
     */
    public record Tier(String name, String model, Optional<String> fallbackModel, int maxOutputTokens,
                       int budgetTokens, int reservedOutputTokens, long maxTotalTokens) {

        /**
         * The most the prompt may take on {@code model} when the answer may take {@code maxOutputTokens}: the budget
         * less the reserved output, and never more than the model's context window less the answer. May be zero or
         * negative when a large output cap leaves no room.
         */
        public int inputTokenLimit(Model model, int maxOutputTokens) {
            long window = (long) model.contextWindowTokens() - maxOutputTokens;
            return (int) Math.min(budgetTokens - reservedOutputTokens, window);
        }
    }

    /**
     * How a tier is picked when the caller names none.
     *
     * @param simple the seed's heuristic for small tasks; empty: every task goes to {@code defaultTier}
     */
    public record Rules(String defaultTier, Optional<SimpleRule> simple) {
    }

    /**
     * A task goes to {@code tier} when it names one of {@code keywords} (case-insensitive substring), has fewer than
     * {@code fewerWordsThan} words, and the whole conversation (system prompt, history and task) is estimated at no
     * more than {@code maxEstimatedTokens}.
     */
    public record SimpleRule(String tier, List<String> keywords, int fewerWordsThan, int maxEstimatedTokens) {
        public SimpleRule {
            keywords = List.copyOf(keywords);
        }
    }

    public Optional<Tier> tier(String name) {
        return Optional.ofNullable(tiers.get(name));
    }

    public Optional<Model> model(String id) {
        return Optional.ofNullable(models.get(id));
    }

    /** The tier names in the order the configuration lists them. */
    public List<String> tierNames() {
        return List.copyOf(tiers.keySet());
    }

    public Tier defaultTier() {
        return tiers.get(rules.defaultTier());
    }

    /** A tier's primary model (the loader guarantees it exists). */
    public Model modelOf(Tier tier) {
        return models.get(tier.model());
    }

    /** A tier's fallback model, if it has one. */
    public Optional<Model> fallbackOf(Tier tier) {
        return tier.fallbackModel().map(models::get);
    }

    /** The tier whose primary model costs most per million input plus output tokens ("everything on the big model"). */
    public Tier mostExpensiveTier() {
        return tiers.values().stream()
                .max(Comparator.comparing(t -> {
                    Price price = modelOf(t).price();
                    return price.inputPerMillion().add(price.outputPerMillion());
                }, Comparator.<BigDecimal>naturalOrder()))
                .orElseThrow();
    }

    /** The price list of every configured model. */
    public PriceTable prices() {
        Map<String, Price> prices = new LinkedHashMap<>();
        models.forEach((id, model) -> prices.put(id, model.price()));
        return PriceTable.of(prices);
    }
}
