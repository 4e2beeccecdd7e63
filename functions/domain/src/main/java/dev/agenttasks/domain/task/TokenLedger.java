package dev.agenttasks.domain.task;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What a task has spent across all its attempts, failed ones included (see {@code AttemptCharge}). Immutable: the worker
 * stores it on the task after each attempt, so the budget holds across deliveries and workers.
 *
 * @param estimated whether any part of it is an estimate rather than the provider's own usage
 * @param attempts  provider calls charged (including those charged nothing)
 */
public record TokenLedger(long inputTokens, long outputTokens, BigDecimal costUsd, boolean estimated, int attempts) {

    public static final TokenLedger EMPTY = new TokenLedger(0, 0, BigDecimal.ZERO, false, 0);

    public TokenLedger {
        Objects.requireNonNull(costUsd, "costUsd");
        if (inputTokens < 0 || outputTokens < 0 || attempts < 0 || costUsd.signum() < 0) {
            throw new IllegalArgumentException("a ledger never holds negative amounts");
        }
    }

    /** This ledger with one more attempt charged {@code usage} at {@code costUsd}. */
    public TokenLedger plus(TokenUsage usage, BigDecimal costUsd, boolean estimated) {
        return new TokenLedger(inputTokens + usage.inputTokens(), outputTokens + usage.outputTokens(),
                this.costUsd.add(costUsd).stripTrailingZeros(), this.estimated || estimated, attempts + 1);
    }

    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}
