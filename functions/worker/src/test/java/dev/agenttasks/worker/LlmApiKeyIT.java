package dev.agenttasks.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.AwsJsonApi;
import dev.agenttasks.config.Config;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.testkit.MotoEnvironment;

/** The worker reads the provider's API key from an SSM SecureString (moto) once, at init. */
class LlmApiKeyIT {

    private static final String PARAMETER = "/agent-tasks/llm-api-key";
    private static final String KEY = "gsk_from-a-secure-string";

    private Map<String, String> env;

    @BeforeEach
    void setUp() {
        env = new HashMap<>(MotoEnvironment.fresh());
        env.put("LLM_PROVIDER", "openai");
        env.put("LLM_API_KEY_PARAMETER", PARAMETER);
    }

    @Test
    void theKeyIsTheSecureStringsDecryptedValue() {
        new AwsClients(Config.of(env)).jsonApi(AwsJsonApi.Service.SSM).call("PutParameter",
                Map.of("Name", PARAMETER, "Type", "SecureString", "Value", KEY));

        assertThat(LlmApiKey.resolve(Config.of(env), new AwsClients(Config.of(env)))).contains(KEY);
    }

    @Test
    void aKeyInTheEnvironmentIsUsedWithoutReadingTheParameter() {
        env.put("LLM_API_KEY", "gsk_local");   // the parameter does not exist: reading it would fail

        assertThat(LlmApiKey.resolve(Config.of(env), new AwsClients(Config.of(env)))).contains("gsk_local");
    }

    @Test
    void aMissingParameterFailsTheStartNamingItAndSsmsErrorCode() {
        assertThatThrownBy(() -> LlmApiKey.resolve(Config.of(env), new AwsClients(Config.of(env))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("could not read the LLM API key from SSM parameter " + PARAMETER
                        + ": ParameterNotFound (HTTP 400)");
    }
}
