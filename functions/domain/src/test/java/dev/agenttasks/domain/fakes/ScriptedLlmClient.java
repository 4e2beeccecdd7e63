package dev.agenttasks.domain.fakes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.task.TokenUsage;

/**
 * A provider that answers from a script: each call takes the next step (the last one repeats), and every
 * request is recorded.
 */
public final class ScriptedLlmClient implements LlmClient {

    private final List<Function<LlmRequest, LlmResponse>> steps = new ArrayList<>();
    private final List<LlmRequest> requests = new ArrayList<>();

    public static ScriptedLlmClient answering(String content) {
        return new ScriptedLlmClient().thenAnswer(content);
    }

    public ScriptedLlmClient thenAnswer(String content) {
        steps.add(request -> new LlmResponse(content, request.model(), new TokenUsage(10, 20)));
        return this;
    }

    public ScriptedLlmClient thenFailTransiently(String code) {
        return thenFailTransiently(code, null);
    }

    public ScriptedLlmClient thenFailTransiently(String code, Duration retryAfter) {
        steps.add(request -> {
            throw new LlmException(LlmException.Kind.TRANSIENT, code, "scripted " + code, null, retryAfter, null);
        });
        return this;
    }

    public ScriptedLlmClient thenFailPermanently(String code, String providerText) {
        steps.add(request -> {
            throw new LlmException(LlmException.Kind.PERMANENT, code, providerText, null, null, null);
        });
        return this;
    }

    /** A step of the test's own, e.g. one that moves a clock or races another worker. */
    public ScriptedLlmClient then(Function<LlmRequest, LlmResponse> step) {
        steps.add(step);
        return this;
    }

    @Override
    public synchronized LlmResponse complete(LlmRequest request) {
        requests.add(request);
        Function<LlmRequest, LlmResponse> step = steps.get(Math.min(requests.size(), steps.size()) - 1);
        return step.apply(request);
    }

    @Override
    public String provider() {
        return "scripted";
    }

    public synchronized int calls() {
        return requests.size();
    }

    public synchronized List<LlmRequest> requests() {
        return List.copyOf(requests);
    }
}
