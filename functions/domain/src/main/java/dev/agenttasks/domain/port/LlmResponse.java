package dev.agenttasks.domain.port;

import dev.agenttasks.domain.task.TokenUsage;


/** A completed call: the text, the model that answered, and the tokens it used. */
public record LlmResponse(String content, String model, TokenUsage usage) {
}
