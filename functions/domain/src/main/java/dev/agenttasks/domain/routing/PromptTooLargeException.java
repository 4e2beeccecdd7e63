package dev.agenttasks.domain.routing;

/** The system prompt and the task alone exceed the input-token limit: no prompt can be built. */
public final class PromptTooLargeException extends IllegalArgumentException {

    private final int tokens;
    private final int limit;

    public PromptTooLargeException(int tokens, int limit) {
        super("the system prompt and the task are about " + tokens + " tokens; the limit is " + Math.max(0, limit));
        this.tokens = tokens;
        this.limit = limit;
    }

    /** The estimate of the system prompt and the task, framing included. */
    public int tokens() {
        return tokens;
    }

    public int limit() {
        return limit;
    }
}
