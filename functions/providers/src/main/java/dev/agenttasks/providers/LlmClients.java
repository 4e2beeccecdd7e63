package dev.agenttasks.providers;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.agenttasks.config.Config;
import dev.agenttasks.config.Config.LlmProvider;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.routing.RoutingConfig;

/**
 * Builds the {@link LlmClient} the configuration names: {@link Config#llmProvider()} for every model, or, with a
 * routing configuration, each model's own provider ({@link #fromConfig(Config, RoutingConfig, Optional)}).
 */
public final class LlmClients {

    private static final Duration MAX_CONNECT_TIMEOUT = OpenAiCompatibleClient.DEFAULT_CONNECT_TIMEOUT;

    private LlmClients() {
    }

    /** The configured client, with the key (if any) taken from {@code LLM_API_KEY}. */
    public static LlmClient fromConfig(Config config) {
        return fromConfig(config, Optional.empty());
    }

    /**
     * The configured client.
     *
     * @param resolvedApiKey a key already fetched (e.g. from {@code LLM_API_KEY_PARAMETER}); empty falls back
     *                       to {@code LLM_API_KEY}
     */
    public static LlmClient fromConfig(Config config, Optional<String> resolvedApiKey) {
        return client(config.llmProvider(), config, resolvedApiKey);
    }

    /**
     * A client that sends each request to the provider its model is configured for in {@code routing}; models with no
     * provider of their own, and models the configuration does not list, go to {@code LLM_PROVIDER}. One client per
     * provider is built now, so a provider that cannot be built (openai without a key) fails at start. When every
     * model has the same provider, that provider's client is returned as it is.
     */
    public static LlmClient fromConfig(Config config, RoutingConfig routing, Optional<String> resolvedApiKey) {
        LlmProvider fallback = config.llmProvider();
        Map<LlmProvider, LlmClient> clients = new EnumMap<>(LlmProvider.class);
        Map<String, LlmClient> byModel = new LinkedHashMap<>();
        routing.models().forEach((id, model) -> byModel.put(id, clients.computeIfAbsent(
                model.provider().orElse(fallback), provider -> client(provider, config, resolvedApiKey))));
        LlmClient defaultClient = clients.computeIfAbsent(fallback, provider -> client(provider, config, resolvedApiKey));
        return clients.size() == 1 ? defaultClient : new ModelRoutedLlmClient(byModel, defaultClient);
    }

    private static LlmClient client(LlmProvider provider, Config config, Optional<String> resolvedApiKey) {
        return switch (provider) {
            case OPENAI -> openAi(config, resolvedApiKey.filter(k -> !k.isBlank()).map(String::strip)
                    .or(config::llmApiKey));
            case SIMULATED -> SimulatedLlmClient.fromConfig(config.simulated());
            case BEDROCK -> BedrockConverseClient.fromConfig(config);
        };
    }

    /**
     * The default endpoint (Groq) needs a key; any other OpenAI-compatible endpoint (a local vLLM, Ollama or
     * llama.cpp server) may have none, and then gets no {@code Authorization} header.
     */
    private static LlmClient openAi(Config config, Optional<String> apiKey) {
        if (apiKey.isEmpty() && config.llmApiKeyParameter().isPresent()) {
            throw new ConfigurationException("LLM_PROVIDER=openai needs the API key named by LLM_API_KEY_PARAMETER ("
                    + config.llmApiKeyParameter().get() + "): resolve it before building the client, or set LLM_API_KEY");
        }
        if (apiKey.isEmpty() && config.llmBaseUrlIsDefault()) {
            throw new ConfigurationException("LLM_PROVIDER=openai with the default endpoint ("
                    + Config.DEFAULT_LLM_BASE_URL + ") needs an API key: set LLM_API_KEY (or LLM_API_KEY_PARAMETER in"
                    + " AWS); for a keyless OpenAI-compatible server (vLLM, Ollama, llama.cpp) set LLM_BASE_URL to it");
        }
        Duration timeout = config.llmTimeout();
        Duration connectTimeout = timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT;
        return OpenAiCompatibleClient.of(config.llmBaseUrl(), apiKey,
                OpenAiCompatibleClient.newHttpClient(connectTimeout, config.llmBaseUrl()));
    }
}
