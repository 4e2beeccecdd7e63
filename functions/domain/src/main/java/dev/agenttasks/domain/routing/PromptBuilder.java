package dev.agenttasks.domain.routing;

import java.util.List;
import java.util.Objects;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;

/**
 * Fits a conversation into an input-token limit: the system prompt and the task always go; of the history, the
 * newest messages that fit go with them, in order, and the oldest are dropped first. A kept history never starts
 * with an assistant message once something was dropped (an answer without its question), so such a message is
 * dropped too.
 */
public final class PromptBuilder {

    /**
     * The prompt to send.
     *
     * @param messages             system prompt (if any), the kept history, the task
     * @param estimatedInputTokens the estimate of {@code messages}, framing included
     * @param droppedMessages      history messages left out, all older than the kept ones
     * @param inputTokenLimit      the limit it was built for
     */
    public record BuiltPrompt(List<ChatMessage> messages, int estimatedInputTokens, int droppedMessages,
                              int inputTokenLimit) {
        public BuiltPrompt {
            messages = List.copyOf(messages);
        }
    }

    /**
     * Whether the part of a conversation that is always sent (system prompt and task) fits a limit.
     *
     * @param tokens the estimate of the system prompt and task, framing included (exact only when needed: a request
     *               far under the limit is measured by its byte length, an upper bound)
     */
    public record Fit(boolean fits, int tokens, int limit) {
    }

    private final TokenCounter tokens;

    public PromptBuilder(TokenCounter tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /**
     * Whether the system prompt and the task alone fit {@code inputTokenLimit}; if they do not, no prompt for this
     * conversation ever will, however much history is dropped. Cheap for small requests: when the text fits even at
     * one token per byte it is not tokenized.
     */
    public Fit fixedPartFits(Conversation conversation, int inputTokenLimit) {
        List<ChatMessage> fixed = conversation.fixedMessages();
        long bound = TokenCounter.upperBound(fixed);
        if (bound <= inputTokenLimit) {
            return new Fit(true, (int) bound, inputTokenLimit);
        }
        int count = tokens.count(fixed);
        return new Fit(count <= inputTokenLimit, count, inputTokenLimit);
    }

    /**
     * The prompt within {@code inputTokenLimit}.
     *
     * @throws PromptTooLargeException if the system prompt and the task alone exceed the limit
     */
    public BuiltPrompt build(Conversation conversation, int inputTokenLimit) {
        List<ChatMessage> history = conversation.history();
        int total = tokens.count(conversation.fixedMessages());
        if (total > inputTokenLimit) {
            throw new PromptTooLargeException(total, inputTokenLimit);
        }
        int firstKept = history.size();
        while (firstKept > 0) {
            int next = tokens.count(history.get(firstKept - 1));
            if (total + next > inputTokenLimit) {
                break;
            }
            total += next;
            firstKept--;
        }
        if (firstKept > 0) {
            while (firstKept < history.size() && "assistant".equals(history.get(firstKept).role())) {
                total -= tokens.count(history.get(firstKept));
                firstKept++;
            }
        }
        List<ChatMessage> kept = history.subList(firstKept, history.size());
        return new BuiltPrompt(conversation.messages(kept), total, firstKept, inputTokenLimit);
    }
}
