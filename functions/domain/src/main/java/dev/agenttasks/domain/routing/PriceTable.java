package dev.agenttasks.domain.routing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Optional;

import dev.agenttasks.domain.task.TokenUsage;

/**
 * USD prices per million input and output tokens, by model. Defaults are Groq's list prices
 * (see docs/architecture.md); a model missing from the table has no cost rather than a guessed one.
 */
public final class PriceTable {

    public record Price(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
    }

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private final Map<String, Price> prices;

    private PriceTable(Map<String, Price> prices) {
        this.prices = Map.copyOf(prices);
    }

    public static PriceTable ofDefaults() {
        return new PriceTable(Map.of(
                ModelRouter.SMALL_MODEL, new Price(new BigDecimal("0.05"), new BigDecimal("0.08")),
                ModelRouter.LARGE_MODEL, new Price(new BigDecimal("0.59"), new BigDecimal("0.79"))));
    }

    public static PriceTable of(Map<String, Price> prices) {
        return new PriceTable(prices);
    }

    /** The cost of {@code usage} on {@code model}, to 8 decimal places; empty for an unpriced model. */
    public Optional<BigDecimal> cost(String model, TokenUsage usage) {
        Price price = prices.get(model);
        if (price == null) {
            return Optional.empty();
        }
        BigDecimal input = price.inputPerMillion().multiply(BigDecimal.valueOf(usage.inputTokens()));
        BigDecimal output = price.outputPerMillion().multiply(BigDecimal.valueOf(usage.outputTokens()));
        return Optional.of(input.add(output).divide(MILLION, 8, RoundingMode.HALF_UP).stripTrailingZeros());
    }
}
