package dev.agenttasks.domain.routing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.agenttasks.domain.task.TokenUsage;

/**
 * USD prices per million input and output tokens, by model, as the routing configuration lists them
 * ({@link RoutingConfig#prices()}); the built-in ones are Groq's list prices. A model missing from the table has no
 * cost rather than a guessed one.
 */
public final class PriceTable {

    public record Price(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
        public Price {
            Objects.requireNonNull(inputPerMillion, "inputPerMillion");
            Objects.requireNonNull(outputPerMillion, "outputPerMillion");
        }

        /** The cost of {@code usage} at this price, to 8 decimal places. */
        public BigDecimal cost(TokenUsage usage) {
            BigDecimal input = inputPerMillion.multiply(BigDecimal.valueOf(usage.inputTokens()));
            BigDecimal output = outputPerMillion.multiply(BigDecimal.valueOf(usage.outputTokens()));
            return input.add(output).divide(MILLION, SCALE, RoundingMode.HALF_UP).stripTrailingZeros();
        }
    }

    /** Costs are kept to 8 decimal places of a dollar (a hundred-millionth: below one token of any listed model). */
    public static final int SCALE = 8;
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private final Map<String, Price> prices;

    private PriceTable(Map<String, Price> prices) {
        this.prices = Map.copyOf(prices);
    }

    /** The built-in configuration's prices ({@link RoutingConfigLoader#builtIn()}). */
    public static PriceTable ofDefaults() {
        return RoutingConfigLoader.builtIn().prices();
    }

    public static PriceTable of(Map<String, Price> prices) {
        return new PriceTable(prices);
    }

    public Optional<Price> price(String model) {
        return Optional.ofNullable(prices.get(model));
    }

    /** The cost of {@code usage} on {@code model}, to 8 decimal places; empty for an unpriced model. */
    public Optional<BigDecimal> cost(String model, TokenUsage usage) {
        return price(model).map(price -> price.cost(usage));
    }
}
