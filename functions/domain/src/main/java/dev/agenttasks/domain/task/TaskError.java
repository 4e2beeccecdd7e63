package dev.agenttasks.domain.task;

import java.time.Duration;
import java.util.Optional;

/**
 * Why a task failed, as its owner sees it: a stable {@code code} and a message built only from this
 * service's own vocabulary (error codes, counts, durations), never from a provider's or a dependency's
 * text, which goes to the logs.
 */
public record TaskError(String code, String message) {

    public static final String PROVIDER_PREFIX = "provider_";

    public FailureReason reason() {
        return FailureReason.ofCode(code);
    }

    /**
     * The provider refused the request for good. {@code providerCode} is the classifier's code (e.g.
     * {@code http_400}, {@code simulated_permanent_failure}), never provider text.
     */
    public static TaskError providerRejected(String providerCode) {
        return new TaskError(PROVIDER_PREFIX + providerCode,
                "the model provider rejected the request (" + describe(providerCode) + ")");
    }

    public static TaskError attemptsExhausted(int attempts, Optional<String> lastProviderCode) {
        return new TaskError(FailureReason.ATTEMPTS_EXHAUSTED.code(), "the model provider did not answer after "
                + attempts + " attempts" + lastProviderCode.map(c -> "; last error: " + describe(c)).orElse(""));
    }

    public static TaskError deadlineExceeded(Duration maxAge, Optional<String> lastProviderCode) {
        return new TaskError(FailureReason.DEADLINE_EXCEEDED.code(), "the task did not finish within "
                + maxAge.toSeconds() + " s of its submission"
                + lastProviderCode.map(c -> "; last error: " + describe(c)).orElse(""));
    }

    /** Another attempt could take the task past its {@code max_total_tokens}. */
    public static TaskError budgetExceeded(long spentTokens, long maxTotalTokens, int tokensNeeded) {
        return new TaskError(FailureReason.BUDGET_EXCEEDED.code(), "the task has spent " + spentTokens + " of its "
                + maxTotalTokens + " tokens (max_total_tokens); another attempt needs at least " + tokensNeeded);
    }

    /** The system prompt and the task are about {@code tokens}, over the tier's input limit. */
    public static TaskError promptTooLarge(int tokens, int limit) {
        return new TaskError(FailureReason.PROMPT_TOO_LARGE.code(), "the system prompt and the task are about "
                + tokens + " tokens; the tier now accepts at most " + Math.max(0, limit));
    }

    public static TaskError deadLettered() {
        return new TaskError(FailureReason.DEAD_LETTERED.code(), "the task's message was received too many times "
                + "without an outcome and moved to the dead-letter queue");
    }

    /** A classifier code as words: {@code http_503} → {@code HTTP 503}, {@code connect_timeout} → {@code connect timeout}. */
    static String describe(String providerCode) {
        if (providerCode.startsWith("http_")) {
            return "HTTP " + providerCode.substring("http_".length());
        }
        return providerCode.replace('_', ' ');
    }
}
