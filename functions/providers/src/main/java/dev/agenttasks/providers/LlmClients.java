package dev.agenttasks.providers;

import java.time.Duration;
import java.util.Optional;

import dev.agenttasks.config.Config;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.domain.port.LlmClient;

/** Builds the {@link LlmClient} the configuration names ({@link Config#llmProvider()}). */
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
        return switch (config.llmProvider()) {
            case OPENAI -> openAi(config, resolvedApiKey.filter(k -> !k.isBlank()).map(String::strip)
                    .or(config::llmApiKey));
            case SIMULATED -> SimulatedLlmClient.fromConfig(config.simulated());
            case BEDROCK -> throw new ConfigurationException(
                    "LLM_PROVIDER=bedrock is not supported yet; use openai or simulated");
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
