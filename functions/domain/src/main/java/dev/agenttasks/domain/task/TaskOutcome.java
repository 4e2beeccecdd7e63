package dev.agenttasks.domain.task;

import java.math.BigDecimal;

/**
 * A completed task's answer: the model that gave it, its text, the usage the provider reported for it, and what
 * the task cost (every attempt's charge, failed ones included; null for an unpriced model). {@code progress}
 * (nullable) is the ledger and prompt figures to store with it.
 */
public record TaskOutcome(String model, String result, TokenUsage usage, BigDecimal costUsd, long durationMs,
                          Progress progress) {

    public TaskOutcome(String model, String result, TokenUsage usage, BigDecimal costUsd, long durationMs) {
        this(model, result, usage, costUsd, durationMs, null);
    }
}
