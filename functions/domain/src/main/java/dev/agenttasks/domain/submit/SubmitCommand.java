package dev.agenttasks.domain.submit;

import java.util.List;
import java.util.Optional;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import dev.agenttasks.domain.task.Routing;

/**
 * A validated, admitted submission: the task text (the new user turn), the caller's system prompt and earlier
 * turns (oldest first), its options, the routing it was admitted with, the optional idempotency key, and the
 * fingerprint of everything but the key (what a replay must match).
 *
 * @param system         the caller's system prompt, or null for the service's default
 * @param maxTotalTokens the task's token cap across attempts (the caller's, else the tier's)
 * @param callbackUrl    where the final task view is POSTed, or null
 */
public record SubmitCommand(String task, Integer maxTokens, String system, List<ChatMessage> history, Routing routing,
                            Long maxTotalTokens, String callbackUrl, Optional<String> idempotencyKey,
                            String fingerprint) {

    public SubmitCommand {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** A plain task: no conversation, default routing, no callback. */
    public SubmitCommand(String task, Integer maxTokens, Optional<String> idempotencyKey, String fingerprint) {
        this(task, maxTokens, null, List.of(), null, null, null, idempotencyKey, fingerprint);
    }
}
