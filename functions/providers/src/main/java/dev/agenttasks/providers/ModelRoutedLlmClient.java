package dev.agenttasks.providers;

import java.util.Map;
import java.util.Objects;

import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;

/** Sends each request to the client of the provider its model is configured for (built by {@link LlmClients}). */
final class ModelRoutedLlmClient implements LlmClient {

    private final Map<String, LlmClient> byModel;
    private final LlmClient defaultClient;

    ModelRoutedLlmClient(Map<String, LlmClient> byModel, LlmClient defaultClient) {
        this.byModel = Map.copyOf(byModel);
        this.defaultClient = Objects.requireNonNull(defaultClient, "defaultClient");
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        return clientFor(request.model()).complete(request);
    }

    /** The provider of {@code LLM_PROVIDER}; {@link #providerFor} names the one a given model goes to. */
    @Override
    public String provider() {
        return defaultClient.provider();
    }

    public String providerFor(String model) {
        return clientFor(model).provider();
    }

    private LlmClient clientFor(String model) {
        return byModel.getOrDefault(model, defaultClient);
    }
}
