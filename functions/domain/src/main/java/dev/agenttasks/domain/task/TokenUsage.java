package dev.agenttasks.domain.task;

/** Tokens a call consumed, as the provider reported them. */
public record TokenUsage(long inputTokens, long outputTokens) {

    public static final TokenUsage NONE = new TokenUsage(0, 0);

    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}
