package dev.agenttasks.worker;

import java.util.Optional;

import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.config.Config;
import dev.agenttasks.config.ConfigurationException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The provider's API key: {@code LLM_API_KEY} when set (local runs), else the SecureString parameter
 * named by {@code LLM_API_KEY_PARAMETER}, read once at init; only the openai provider needs one.
 */
final class LlmApiKey {

    private LlmApiKey() {
    }

    static Optional<String> resolve(Config config, AwsClients aws) {
        Optional<String> parameter = config.llmApiKeyParameter();
        if (config.llmApiKey().isPresent() || parameter.isEmpty() || config.llmProvider() != Config.LlmProvider.OPENAI) {
            return config.llmApiKey();
        }
        try (SsmClient ssm = aws.build(SsmClient.builder())) {
            return Optional.of(ssm.getParameter(b -> b.name(parameter.get()).withDecryption(true)).parameter().value());
        } catch (SdkException e) {
            throw new ConfigurationException("could not read the LLM API key from SSM parameter " + parameter.get()
                    + ": " + e.getMessage());
        }
    }
}
