package dev.agenttasks.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void everyValueHasADefault() {
        Config config = Config.of(Map.of());

        assertThat(config.retry()).isEqualTo(new Config.Retry(5, Duration.ofSeconds(1), Duration.ofSeconds(60)));
        assertThat(config.breaker()).isEqualTo(new Config.Breaker(5, Duration.ofSeconds(60), Duration.ofSeconds(30)));
        assertThat(config.taskLease()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.llmTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.llmBaseUrl()).isEqualTo(URI.create("https://api.groq.com/openai/v1"));
        assertThat(config.taskMaxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(config.idempotencyTtl()).isEqualTo(Duration.ofDays(1));
        assertThat(config.taskRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.port()).isEqualTo(3000);
        assertThat(config.awsRegion()).isEqualTo("us-east-1");
        assertThat(config.localApiKeys()).isEmpty();
    }

    @Test
    void aBadValueNamesItsVariableAndEveryProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> Config.of(Map.of("TASK_LEASE_SECONDS", "soon")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("TASK_LEASE_SECONDS must be a whole number, got 'soon'");
        assertThatThrownBy(() -> Config.of(Map.of("RETRY_MAX_ATTEMPTS", "0", "SIMULATED_FAILURE_RATE", "2",
                "LLM_BASE_URL", "ftp://llm.example/v1", "LLM_PROVIDER", "anthropic")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("4 configuration problems")
                .hasMessageContaining("RETRY_MAX_ATTEMPTS must be between 1 and 100, got 0")
                .hasMessageContaining("SIMULATED_FAILURE_RATE must be between 0.0 and 1.0")
                .hasMessageContaining("LLM_BASE_URL must be an http(s) URL")
                .hasMessageContaining("LLM_PROVIDER must be one of openai, bedrock, simulated; got 'anthropic'");
    }

    @Test
    void theRoutingConfigurationComesFromOneSourceOnly() {
        Config file = Config.of(Map.of("ROUTING_CONFIG_FILE", "/etc/agent-tasks/routing.json"));
        Config parameter = Config.of(Map.of("ROUTING_CONFIG_PARAMETER", "/agent-tasks/routing"));
        Config inline = Config.of(Map.of("ROUTING_CONFIG", "{\"tiers\": {}}"));

        assertThat(file.routingConfigFile()).contains(Path.of("/etc/agent-tasks/routing.json"));
        assertThat(file.routingConfigParameter()).isEmpty();
        assertThat(parameter.routingConfigParameter()).contains("/agent-tasks/routing");
        assertThat(inline.routingConfig()).contains("{\"tiers\": {}}");
        assertThat(Config.of(Map.of()).routingConfigFile()).isEmpty();
        assertThat(Config.of(Map.of()).routingConfig()).isEmpty();
        assertThatThrownBy(() -> Config.of(Map.of("ROUTING_CONFIG_FILE", "r.json", "ROUTING_CONFIG_PARAMETER", "/r")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("ROUTING_CONFIG_FILE and ROUTING_CONFIG_PARAMETER are both set; set at most one "
                        + "(a file for local runs, ROUTING_CONFIG in AWS)");
        assertThatThrownBy(() -> Config.of(Map.of("ROUTING_CONFIG_FILE", "r.json", "ROUTING_CONFIG", "{}",
                "ROUTING_CONFIG_PARAMETER", "/r")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("ROUTING_CONFIG_FILE and ROUTING_CONFIG and ROUTING_CONFIG_PARAMETER are all set; set at "
                        + "most one (a file for local runs, ROUTING_CONFIG in AWS)");
    }

    @Test
    void aBedrockEndpointOverrideMustBeAnAbsoluteUrl() {
        assertThat(Config.of(Map.of("BEDROCK_ENDPOINT_URL", "http://127.0.0.1:8089")).bedrockEndpointUrl())
                .contains(URI.create("http://127.0.0.1:8089"));
        assertThat(Config.of(Map.of()).bedrockEndpointUrl()).isEmpty();
        assertThatThrownBy(() -> Config.of(Map.of("BEDROCK_ENDPOINT_URL", "localhost")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("BEDROCK_ENDPOINT_URL must be an absolute URL, got 'localhost'");
    }

    @Test
    void providersAreNamedInAnyCase() {
        assertThat(Config.LlmProvider.of("Bedrock")).contains(Config.LlmProvider.BEDROCK);
        assertThat(Config.LlmProvider.of(" openai ")).contains(Config.LlmProvider.OPENAI);
        assertThat(Config.LlmProvider.of("anthropic")).isEmpty();
        assertThat(Config.LlmProvider.of(null)).isEmpty();
    }

    @Test
    void resourcesAreCheckedWhenAskedFor() {
        Config config = Config.of(Map.of("TASKS_TABLE", "tasks"));

        assertThat(config.tasksTable()).isEqualTo("tasks");
        assertThat(config.taskDlqUrl()).isEmpty();
        assertThatThrownBy(config::taskQueueUrl).isInstanceOf(ConfigurationException.class)
                .hasMessage("TASK_QUEUE_URL is not set");
    }

    @Test
    void theProviderDefaultsToOpenAiWithAKeyAndToSimulatedWithoutOneOutsideLambda() {
        assertThat(Config.of(Map.of()).llmProvider()).isEqualTo(Config.LlmProvider.SIMULATED);
        assertThat(Config.of(Map.of("LLM_API_KEY", "k")).llmProvider()).isEqualTo(Config.LlmProvider.OPENAI);
        assertThat(Config.of(Map.of("LLM_API_KEY_PARAMETER", "/p")).llmProvider()).isEqualTo(Config.LlmProvider.OPENAI);
        assertThat(Config.of(Map.of("LLM_PROVIDER", "Simulated", "LLM_API_KEY", "k")).llmProvider())
                .isEqualTo(Config.LlmProvider.SIMULATED);
        Config inLambda = Config.of(Map.of("AWS_LAMBDA_FUNCTION_NAME", "worker"));
        assertThatThrownBy(inLambda::llmProvider).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("LLM_PROVIDER is not set");
    }

    @Test
    void anEndpointOtherThanTheDefaultMeansOpenAiWithoutAKey() {
        Config local = Config.of(Map.of("LLM_BASE_URL", "http://127.0.0.1:11434/v1"));
        Config groqSpelledWithASlash = Config.of(Map.of("LLM_BASE_URL", "https://api.groq.com/openai/v1/"));

        assertThat(local.llmProvider()).isEqualTo(Config.LlmProvider.OPENAI);
        assertThat(local.llmBaseUrlIsDefault()).isFalse();
        assertThat(local.llmApiKey()).isEmpty();
        assertThat(groqSpelledWithASlash.llmBaseUrlIsDefault()).isTrue();
        assertThat(groqSpelledWithASlash.llmProvider()).isEqualTo(Config.LlmProvider.SIMULATED);
        assertThat(Config.of(Map.of()).llmBaseUrlIsDefault()).isTrue();
        assertThat(Config.of(Map.of("LLM_BASE_URL", "http://127.0.0.1:8080/v1", "LLM_PROVIDER", "simulated")).llmProvider())
                .isEqualTo(Config.LlmProvider.SIMULATED);
    }

    @Test
    void unsetLifetimesFollowALongerDeadline() {
        Config config = Config.of(Map.of("TASK_MAX_AGE_SECONDS", "1209600"));

        assertThat(config.idempotencyTtl()).isEqualTo(Duration.ofDays(14));
        assertThat(config.taskRetention()).isEqualTo(Duration.ofDays(15));
    }

    @Test
    void aKeyThatExpiresBeforeItsTasksDeadlineIsRejected() {
        assertThatThrownBy(() -> Config.of(Map.of("TASK_MAX_AGE_SECONDS", "1209600", "IDEMPOTENCY_TTL_SECONDS", "86400")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("IDEMPOTENCY_TTL_SECONDS (86400) must be at least TASK_MAX_AGE_SECONDS (1209600)");
    }

    @Test
    void aKeyThatOutlivesItsTaskIsRejected() {
        assertThatThrownBy(() -> Config.of(Map.of("IDEMPOTENCY_TTL_SECONDS", "2592000", "TASK_RETENTION_SECONDS", "604800")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("TASK_RETENTION_SECONDS (604800) must be at least IDEMPOTENCY_TTL_SECONDS (2592000)");
    }

    @Test
    void aRecordThatExpiresWithinADayOfItsDeadlineIsRejected() {
        assertThatThrownBy(() -> Config.of(Map.of("TASK_MAX_AGE_SECONDS", "1209600", "TASK_RETENTION_SECONDS", "1209600")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("TASK_RETENTION_SECONDS (1209600) must be at least TASK_MAX_AGE_SECONDS + 86400 (1296000)");
    }

    @Test
    void localApiKeysAreTokenCallerPairs() {
        assertThat(Config.of(Map.of("LOCAL_API_KEYS", "t1=alice, t2=bob")).localApiKeys())
                .contains(Map.of("t1", "alice", "t2", "bob"));
        assertThatThrownBy(() -> Config.of(Map.of("LOCAL_API_KEYS", "t1")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("LOCAL_API_KEYS must look like");
    }

    @Test
    void localParameterOverridesAreNameValuePairs() {
        assertThat(Config.of(Map.of()).localParameterOverrides()).isEmpty();
        assertThat(Config.of(Map.of("LOCAL_PARAMETER_OVERRIDES", "WorkerBatchSize=1, WorkerMemorySize=1024"))
                .localParameterOverrides()).isEqualTo(Map.of("WorkerBatchSize", "1", "WorkerMemorySize", "1024"));
        assertThatThrownBy(() -> Config.of(Map.of("LOCAL_PARAMETER_OVERRIDES", "WorkerBatchSize")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("LOCAL_PARAMETER_OVERRIDES must look like Name=Value,Name=Value");
    }

    @Test
    void staticCredentialsNeverPrintTheSecret() {
        Config config = Config.of(Map.of("AWS_ACCESS_KEY_ID", "AKIA1", "AWS_SECRET_ACCESS_KEY", "s3cr3t"));

        assertThat(config.credentials()).map(Object::toString).hasValueSatisfying(text ->
                assertThat(text).contains("AKIA1").doesNotContain("s3cr3t"));
        assertThat(config.credentials().orElseThrow().sessionToken()).isEqualTo(Optional.empty());
    }

    @Test
    void theServiceNameDefaultsToAgentTasksAndALogLevelMustBeOneOfTheFive() {
        assertThat(Config.of(Map.of()).serviceName()).isEqualTo("agent-tasks");
        assertThat(Config.of(Map.of("SERVICE_NAME", "agent-tasks-prod")).serviceName()).isEqualTo("agent-tasks-prod");
        assertThat(Config.of(Map.of("LOG_LEVEL", "DEBUG")).asMap()).containsEntry("LOG_LEVEL", "DEBUG");
        assertThatThrownBy(() -> Config.of(Map.of("LOG_LEVEL", "verbose")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("LOG_LEVEL must be one of [TRACE, DEBUG, INFO, WARN, ERROR], got 'verbose'");
    }
}
