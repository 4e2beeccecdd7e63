package dev.agenttasks.domain.submit;

import java.util.Optional;

/**
 * A validated submission: the task text, its options, the optional idempotency key, and the
 * fingerprint of everything but the key (what a replay must match).
 */
public record SubmitCommand(String task, Integer maxTokens, Optional<String> idempotencyKey, String fingerprint) {
}
