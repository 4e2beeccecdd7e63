package dev.agenttasks.domain.task;

import java.util.Objects;

/**
 * What a task's attempts have cost so far and how its last prompt was built: stored with each lease-fenced
 * write, so the token cap holds across deliveries and the owner sees what was spent.
 *
 * @param spent                tokens and dollars across every attempt, failed ones included
 * @param inputTokensEstimated the last prompt's input tokens, by the service's tokenizer
 * @param messagesDropped      history messages left out of the last prompt to fit the budget (oldest first)
 * @param degraded             whether the last call went to the tier's fallback model (its primary's breaker was open)
 */
public record Progress(TokenLedger spent, int inputTokensEstimated, int messagesDropped, boolean degraded) {

    public Progress {
        Objects.requireNonNull(spent, "spent");
    }
}
