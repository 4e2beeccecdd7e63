package dev.agenttasks.worker;

import java.util.Optional;

import dev.agenttasks.core.aws.AwsClients;
import dev.agenttasks.core.config.ConfigurationException;
import dev.agenttasks.core.config.Settings;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The provider's API key: {@code LLM_API_KEY} when set (local runs), else the SecureString parameter
 * named by {@code LLM_API_KEY_PARAMETER}, read once at init.
 */
final class LlmApiKey {

    private LlmApiKey() {
    }

    static Optional<String> resolve(Settings settings, AwsClients aws) {
        Optional<String> key = settings.get("LLM_API_KEY");
        Optional<String> parameter = settings.get("LLM_API_KEY_PARAMETER");
        String provider = settings.get("LLM_PROVIDER", "openai");
        if (key.isPresent() || parameter.isEmpty() || !provider.equalsIgnoreCase("openai")) {
            return key;
        }
        try (SsmClient ssm = aws.build(SsmClient.builder())) {
            return Optional.of(ssm.getParameter(b -> b.name(parameter.get()).withDecryption(true)).parameter().value());
        } catch (SdkException e) {
            throw new ConfigurationException("could not read the LLM API key from SSM parameter " + parameter.get()
                    + ": " + e.getMessage());
        }
    }
}
