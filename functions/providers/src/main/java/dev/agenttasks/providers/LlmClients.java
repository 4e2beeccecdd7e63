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

    private static LlmClient openAi(Config config, Optional<String> apiKey) {
        String key = apiKey.orElseThrow(() -> new ConfigurationException(
                "LLM_PROVIDER=openai needs an API key: set LLM_API_KEY"
                        + config.llmApiKeyParameter()
                                .map(p -> " or resolve LLM_API_KEY_PARAMETER (" + p + ") before building the client")
                                .orElse("")));
        Duration timeout = config.llmTimeout();
        Duration connectTimeout = timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT;
        return OpenAiCompatibleClient.of(config.llmBaseUrl(), key,
                OpenAiCompatibleClient.newHttpClient(connectTimeout, config.llmBaseUrl()));
    }
}
