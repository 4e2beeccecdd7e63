package dev.agenttasks.domain.port;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** One chat-completion call: the model, the messages, the output cap and this call's timeout. */
public record LlmRequest(String model, List<ChatMessage> messages, int maxTokens, Duration timeout) {

    public LlmRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive");
        }
        Objects.requireNonNull(timeout, "timeout");
    }

    public record ChatMessage(String role, String content) {
        public static ChatMessage system(String content) {
            return new ChatMessage("system", content);
        }

        public static ChatMessage user(String content) {
            return new ChatMessage("user", content);
        }

        public static ChatMessage assistant(String content) {
            return new ChatMessage("assistant", content);
        }
    }
}
