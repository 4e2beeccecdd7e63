package dev.agenttasks.worker;

import java.util.Optional;

import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.config.Config;

/**
 * The provider's API key: {@code LLM_API_KEY} when set (local runs), else the SecureString parameter
 * named by {@code LLM_API_KEY_PARAMETER}, read once at init ({@link dev.agenttasks.aws.SsmParameterReader}); only
 * the openai provider needs one.
 */
final class LlmApiKey {

    private LlmApiKey() {
    }

    static Optional<String> resolve(Config config, AwsClients aws) {
        Optional<String> parameter = config.llmApiKeyParameter();
        if (config.llmApiKey().isPresent() || parameter.isEmpty() || config.llmProvider() != Config.LlmProvider.OPENAI) {
            return config.llmApiKey();
        }
        return Optional.of(aws.ssmParameters().read(parameter.get(), "the LLM API key"));
    }
}
