package dev.agenttasks.core.llm;

import dev.agenttasks.core.config.ConfigurationException;
import dev.agenttasks.core.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds the configured {@link LlmClient}. {@code LLM_PROVIDER} is {@code openai},
 * {@code simulated} or {@code bedrock}; when it is unset the provider is {@code openai} if a key
 * is available, otherwise {@code simulated} — except inside Lambda, where the simulated provider
 * is never chosen implicitly.
 */
public final class LlmClients {

    public static final String PROVIDER_VARIABLE = "LLM_PROVIDER";
    public static final String API_KEY_VARIABLE = "LLM_API_KEY";
    public static final String API_KEY_PARAMETER_VARIABLE = "LLM_API_KEY_PARAMETER";
    public static final String BASE_URL_VARIABLE = "LLM_BASE_URL";
    /** Set by the Lambda runtime in every function. */
    static final String LAMBDA_FUNCTION_NAME_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME";

    public static final String OPENAI = "openai";
    public static final String SIMULATED = "simulated";
    public static final String BEDROCK = "bedrock";

    private static final Duration MAX_CONNECT_TIMEOUT = OpenAiCompatibleClient.DEFAULT_CONNECT_TIMEOUT;

    private LlmClients() {
    }

    /** The client {@code settings} describe, with the key (if any) taken from {@code LLM_API_KEY}. */
    public static LlmClient fromSettings(Settings settings) {
        return fromSettings(settings, null);
    }

    /**
     * The client {@code settings} describe.
     *
     * @param resolvedApiKey a key already fetched (e.g. from {@code LLM_API_KEY_PARAMETER});
     *                       null or blank falls back to {@code LLM_API_KEY}
     */
    public static LlmClient fromSettings(Settings settings, String resolvedApiKey) {
        Optional<String> apiKey = resolvedApiKey == null || resolvedApiKey.isBlank()
                ? settings.get(API_KEY_VARIABLE)
                : Optional.of(resolvedApiKey.strip());
        String provider = providerName(settings, apiKey.isPresent());
        switch (provider) {
            case OPENAI:
                return openAi(settings, apiKey);
            case SIMULATED:
                return SimulatedLlmClient.fromSettings(settings);
            case BEDROCK:
                throw new ConfigurationException("LLM_PROVIDER=bedrock is not supported yet; use openai or simulated");
            default:
                throw new ConfigurationException(PROVIDER_VARIABLE + " must be one of openai, simulated, bedrock; got '"
                        + settings.get(PROVIDER_VARIABLE).orElse("") + "'");
        }
    }

    /** The provider {@link #fromSettings(Settings)} would build, without building it. */
    public static String providerName(Settings settings) {
        return providerName(settings, settings.get(API_KEY_VARIABLE).isPresent());
    }

    private static String providerName(Settings settings, boolean hasKey) {
        return settings.get(PROVIDER_VARIABLE)
                .map(p -> p.toLowerCase(Locale.ROOT))
                .orElseGet(() -> defaultProvider(settings, hasKey));
    }

    private static String defaultProvider(Settings settings, boolean hasKey) {
        if (hasKey || settings.get(API_KEY_PARAMETER_VARIABLE).isPresent()) {
            return OPENAI;
        }
        if (settings.get(LAMBDA_FUNCTION_NAME_VARIABLE).isPresent()) {
            throw new ConfigurationException(PROVIDER_VARIABLE + " is not set and no LLM key is configured; "
                    + "in AWS set " + PROVIDER_VARIABLE + " explicitly (the simulated provider is never the default there)");
        }
        return SIMULATED;
    }

    private static LlmClient openAi(Settings settings, Optional<String> apiKey) {
        String key = apiKey.orElseThrow(() -> new ConfigurationException(
                "LLM_PROVIDER=openai needs an API key: set " + API_KEY_VARIABLE
                        + settings.get(API_KEY_PARAMETER_VARIABLE)
                                .map(p -> " or resolve " + API_KEY_PARAMETER_VARIABLE + " (" + p + ") before building the client")
                                .orElse("")));
        URI baseUrl = settings.getUri(BASE_URL_VARIABLE).orElse(OpenAiCompatibleClient.DEFAULT_BASE_URL);
        Duration timeout = settings.llmTimeout();
        Duration connectTimeout = timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT;
        try {
            return OpenAiCompatibleClient.of(baseUrl, key, OpenAiCompatibleClient.newHttpClient(connectTimeout, baseUrl));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(BASE_URL_VARIABLE + " must be an http(s) URL, got '" + baseUrl + "'");
        }
    }
}
