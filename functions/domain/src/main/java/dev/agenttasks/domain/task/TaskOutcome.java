package dev.agenttasks.domain.task;

import java.math.BigDecimal;

import dev.agenttasks.domain.task.TokenUsage;

/** A completed task's result and what it cost. {@code costUsd} is null for an unpriced model. */
public record TaskOutcome(String model, String result, TokenUsage usage, BigDecimal costUsd, long durationMs) {
}
