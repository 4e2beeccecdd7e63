package dev.agenttasks.providers;

import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.task.TokenUsage;
import dev.agenttasks.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A local stand-in for a real provider, for the local stack and demos. Answers are deterministic
 * (the same request gives the same answer), start with {@code [simulated <model>]} and echo the
 * task, so they are never mistaken for a model's output. Knobs: latency, a transient failure
 * rate drawn from a seeded {@link Random}, and a marker that makes a task fail permanently.
 */
public final class SimulatedLlmClient implements LlmClient {

    public static final String PROVIDER = "simulated";
    public static final Duration DEFAULT_LATENCY = Config.DEFAULT_SIMULATED_LATENCY;
    public static final double DEFAULT_FAILURE_RATE = 0.0;
    public static final String DEFAULT_PERMANENT_FAILURE_MARKER = Config.DEFAULT_SIMULATED_PERMANENT_FAILURE_MARKER;
    public static final long DEFAULT_SEED = 42L;

    public static final String CODE_SIMULATED_FAILURE = "simulated_failure";
    public static final String CODE_SIMULATED_PERMANENT_FAILURE = "simulated_permanent_failure";

    private static final int SUMMARY_CHARS = 80;

    private final Duration latency;
    private final double failureRate;
    private final String permanentFailureMarker;
    private final Random random;

    /**
     * @param failureRate            share of calls, 0..1, that fail with a transient 503-like error
     * @param permanentFailureMarker a user message containing it fails permanently; null or empty disables
     * @param seed                   seeds the failure draws, so a sequence of calls fails the same way each run
     */
    public SimulatedLlmClient(Duration latency, double failureRate, String permanentFailureMarker, long seed) {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        if (!(failureRate >= 0.0 && failureRate <= 1.0)) {
            throw new IllegalArgumentException("failureRate must be between 0 and 1, got " + failureRate);
        }
        this.latency = latency;
        this.failureRate = failureRate;
        this.permanentFailureMarker = permanentFailureMarker == null ? "" : permanentFailureMarker;
        this.random = new Random(seed);
    }

    public static SimulatedLlmClient ofDefaults() {
        return new SimulatedLlmClient(DEFAULT_LATENCY, DEFAULT_FAILURE_RATE, DEFAULT_PERMANENT_FAILURE_MARKER, DEFAULT_SEED);
    }

    /** The simulated provider the configuration describes. */
    public static SimulatedLlmClient fromConfig(Config.Simulated knobs) {
        return new SimulatedLlmClient(knobs.latency(), knobs.failureRate(), knobs.permanentFailureMarker(), DEFAULT_SEED);
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        String task = lastUserMessage(request.messages());
        if (!permanentFailureMarker.isEmpty() && containsMarker(request.messages())) {
            throw new LlmException(LlmException.Kind.PERMANENT, CODE_SIMULATED_PERMANENT_FAILURE,
                    "simulated permanent failure: the task contains " + permanentFailureMarker, 400, null, null);
        }
        if (failureRate > 0 && random.nextDouble() < failureRate) {
            throw new LlmException(LlmException.Kind.TRANSIENT, CODE_SIMULATED_FAILURE,
                    "simulated transient failure (503, failure rate " + failureRate + ")", 503, null, null);
        }
        waitOut(request.timeout());
        String content = "[simulated " + request.model() + "] Answer to: " + summary(task);
        long inputTokens = Math.max(1, totalChars(request.messages()) / 4);
        long outputTokens = Math.min(request.maxTokens(), Math.max(1, content.length() / 4));
        return new LlmResponse(content, request.model(), new TokenUsage(inputTokens, outputTokens));
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    public Duration latency() {
        return latency;
    }

    public double failureRate() {
        return failureRate;
    }

    public String permanentFailureMarker() {
        return permanentFailureMarker;
    }

    /** Sleeps for the latency; a latency beyond the timeout sleeps the timeout, then fails like a real call. */
    private void waitOut(Duration timeout) {
        boolean timesOut = latency.compareTo(timeout) > 0;
        Duration wait = timesOut ? (timeout.isNegative() ? Duration.ZERO : timeout) : latency;
        try {
            Thread.sleep(wait.toMillis(), wait.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LlmException.transientError(ProviderErrorClassifier.CODE_INTERRUPTED, "simulated call was interrupted", e);
        }
        if (timesOut) {
            throw LlmException.transientError(ProviderErrorClassifier.CODE_TIMEOUT,
                    "simulated latency " + latency.toMillis() + " ms exceeds the timeout of " + timeout.toMillis() + " ms",
                    null);
        }
    }

    private boolean containsMarker(List<LlmRequest.ChatMessage> messages) {
        return messages.stream()
                .anyMatch(m -> "user".equals(m.role()) && m.content() != null && m.content().contains(permanentFailureMarker));
    }

    private static String lastUserMessage(List<LlmRequest.ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            LlmRequest.ChatMessage message = messages.get(i);
            if ("user".equals(message.role()) && message.content() != null) {
                return message.content();
            }
        }
        return "";
    }

    private static String summary(String task) {
        String oneLine = task.strip().replaceAll("\\s+", " ");
        if (oneLine.isEmpty()) {
            return "(empty task)";
        }
        return oneLine.length() <= SUMMARY_CHARS ? oneLine : oneLine.substring(0, SUMMARY_CHARS) + "…";
    }

    private static long totalChars(List<LlmRequest.ChatMessage> messages) {
        return messages.stream().mapToLong(m -> m.content() == null ? 0 : m.content().length()).sum();
    }
}
