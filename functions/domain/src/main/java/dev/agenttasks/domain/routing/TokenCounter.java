package dev.agenttasks.domain.routing;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;

/**
 * Estimates how many tokens a model reads. The estimate is a real BPE tokenizer's count
 * ({@link #cl100k()}), plus the framing a chat template adds around each message and before the reply.
 */
public interface TokenCounter {

    /**
     * Tokens a chat template adds around each message. Llama 3's template wraps a message as
     * {@code <|start_header_id|>role<|end_header_id|>\n\n content <|eot_id|>}: five tokens.
     */
    int PER_MESSAGE_TOKENS = 5;
    /** Tokens added once per request: {@code <|begin_of_text|>} and the assistant header that primes the reply. */
    int PER_REQUEST_TOKENS = 5;

    /** The tokens of {@code text} (special-token markers in it are counted as plain text). */
    int count(String text);

    /** The encoding's name, e.g. {@code cl100k_base}. */
    String name();

    default int count(ChatMessage message) {
        return PER_MESSAGE_TOKENS + count(message.content());
    }

    /** The tokens of a whole request: every message and the request's own framing. */
    default int count(List<ChatMessage> messages) {
        int total = PER_REQUEST_TOKENS;
        for (ChatMessage message : messages) {
            total += count(message);
        }
        return total;
    }

    /**
     * A bound no BPE count exceeds: every token stands for at least one byte of the UTF-8 text. Lets callers skip
     * tokenizing text that fits even at one token per byte.
     */
    static int upperBound(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** {@link #upperBound(String)} for a whole request, framing included. */
    static long upperBound(List<ChatMessage> messages) {
        long total = PER_REQUEST_TOKENS;
        for (ChatMessage message : messages) {
            total += PER_MESSAGE_TOKENS + upperBound(message.content());
        }
        return total;
    }

    /**
     * OpenAI's cl100k_base encoding: the estimate for every configured model. Llama 3's tokenizer (Groq) is
     * cl100k_base's 100,000 ranks plus 28,000 more with the same pre-tokenizer, so counts stay close (Llama 3's
     * extra merges mostly shorten non-English text);
     * Claude's and Nova's tokenizers are not published, so for Bedrock the count is an estimate only
     * (docs/routing.md).
     */
    static TokenCounter cl100k() {
        return JtokkitTokenCounter.CL100K;
    }

    /**
     * {@link #cl100k()}, its ranks already being read on a daemon thread: for a function that counts on every
     * request (the worker), so the read overlaps its start-up instead of delaying its first task.
     */
    static TokenCounter cl100kLoadingInBackground() {
        JtokkitTokenCounter.CL100K.loadInBackground();
        return JtokkitTokenCounter.CL100K;
    }
}
