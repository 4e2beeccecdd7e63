package dev.agenttasks.providers;

import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.routing.RoutingConfigLoader;
import dev.agenttasks.domain.task.TokenUsage;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.config.Config;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LlmClientsTest {

    @Test
    void simulatedWhenNothingIsConfigured() {
        LlmClient client = LlmClients.fromConfig(Config.of(Map.of()));

        assertThat(client).isInstanceOf(SimulatedLlmClient.class);
        assertThat(client.provider()).isEqualTo("simulated");
    }

    @Test
    void openAiWhenAKeyIsSet() {
        LlmClient client = LlmClients.fromConfig(Config.of(Map.of("LLM_API_KEY", "gsk_abc")));

        assertThat(client).isInstanceOfSatisfying(OpenAiCompatibleClient.class, openAi ->
                assertThat(openAi.endpoint()).isEqualTo(URI.create("https://api.groq.com/openai/v1/chat/completions")));
        assertThat(client.provider()).isEqualTo("openai");
    }

    @Test
    void openAiWhenAResolvedKeyIsPassed() {
        assertThat(LlmClients.fromConfig(Config.of(Map.of("LLM_API_KEY_PARAMETER", "/agent-tasks/llm-key")), Optional.of("gsk_from_ssm"))).isInstanceOf(OpenAiCompatibleClient.class);
    }

    @Test
    void aKeyParameterWithoutTheResolvedKeyIsAnError() {
        assertThatThrownBy(() -> LlmClients.fromConfig(Config.of(Map.of("LLM_API_KEY_PARAMETER", "/agent-tasks/llm-key"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("LLM_API_KEY_PARAMETER (/agent-tasks/llm-key)");
    }

    @Test
    void neverSimulatedByDefaultInsideLambda() {
        assertThatThrownBy(() -> LlmClients.fromConfig(Config.of(Map.of("AWS_LAMBDA_FUNCTION_NAME", "worker"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("LLM_PROVIDER is not set");
        assertThat(LlmClients.fromConfig(Config.of(Map.of("AWS_LAMBDA_FUNCTION_NAME", "worker", "LLM_PROVIDER", "simulated"))))
                .isInstanceOf(SimulatedLlmClient.class);
    }

    @Test
    void explicitSimulatedWinsOverAKeyAndReadsItsKnobs() {
        LlmClient client = LlmClients.fromConfig(Config.of(Map.of(
                "LLM_PROVIDER", "simulated", "LLM_API_KEY", "gsk_abc", "SIMULATED_FAILURE_RATE", "0.5")));

        assertThat(client).isInstanceOfSatisfying(SimulatedLlmClient.class,
                simulated -> assertThat(simulated.failureRate()).isEqualTo(0.5));
    }

    @Test
    void openAiWithoutAKeyForTheDefaultGroqEndpointIsAClearError() {
        assertThatThrownBy(() -> LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "openai"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("LLM_PROVIDER=openai with the default endpoint (https://api.groq.com/openai/v1) needs an API"
                        + " key: set LLM_API_KEY (or LLM_API_KEY_PARAMETER in AWS); for a keyless OpenAI-compatible"
                        + " server (vLLM, Ollama, llama.cpp) set LLM_BASE_URL to it");
        assertThatThrownBy(() -> LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "openai",
                "LLM_BASE_URL", "https://api.groq.com/openai/v1/"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("needs an API key");
    }

    @Test
    void aKeylessLocalEndpointGetsNoAuthorizationHeader() {
        WireMockServer wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        try {
            wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                    .willReturn(aResponse().withStatus(200).withBody(OpenAiCompatibleClientTest.resource("groq-chat-completion.json"))));
            for (Map<String, String> env : List.of(
                    Map.of("LLM_PROVIDER", "openai", "LLM_BASE_URL", wireMock.baseUrl() + "/v1"),
                    Map.of("LLM_BASE_URL", wireMock.baseUrl() + "/v1"))) {
                LlmClient client = LlmClients.fromConfig(Config.of(env));

                LlmResponse response = client.complete(new LlmRequest("llama3.2",
                        List.of(LlmRequest.ChatMessage.user("hello")), 64, Duration.ofSeconds(5)));

                assertThat(client).as("%s", env).isInstanceOf(OpenAiCompatibleClient.class);
                assertThat(response.usage()).isEqualTo(new TokenUsage(18, 21));
            }
            wireMock.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")).withoutHeader("Authorization"));
        } finally {
            wireMock.stop();
        }
    }

    @Test
    void aKeyParameterThatWasNotResolvedIsAnErrorAlsoForALocalEndpoint() {
        assertThatThrownBy(() -> LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "openai",
                "LLM_BASE_URL", "http://127.0.0.1:8000/v1", "LLM_API_KEY_PARAMETER", "/agent-tasks/llm-key"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("LLM_API_KEY_PARAMETER (/agent-tasks/llm-key)");
    }

    @Test
    void bedrockIsTheConverseClient() {
        LlmClient client = LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "bedrock")));

        assertThat(client).isInstanceOf(BedrockConverseClient.class);
        assertThat(client.provider()).isEqualTo("bedrock");
    }

    @Test
    void aRoutingConfigurationThatNamesOpenAiNeedsItsKeyAtStart() {
        assertThatThrownBy(() -> LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "openai")),
                RoutingConfigLoader.builtIn(), Optional.empty()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("LLM_API_KEY");
    }

    @Test
    void unknownProviderListsTheValidOnes() {
        assertThatThrownBy(() -> LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "anthropic"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("openai", "simulated", "bedrock", "'anthropic'");
    }

    @Test
    void providerNameIgnoresCase() {
        assertThat(LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "OpenAI", "LLM_API_KEY", "gsk_abc"))))
                .isInstanceOf(OpenAiCompatibleClient.class);
    }

    @Test
    void badBaseUrlIsAConfigurationError() {
        assertThatThrownBy(() -> LlmClients.fromConfig(Config.of(Map.of("LLM_API_KEY", "gsk_abc", "LLM_BASE_URL", "not a url"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("LLM_BASE_URL");
        assertThatThrownBy(() -> LlmClients.fromConfig(Config.of(Map.of("LLM_API_KEY", "gsk_abc", "LLM_BASE_URL", "ftp://llm.example/v1"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("LLM_BASE_URL").hasMessageNotContaining("gsk_abc");
    }

    @Test
    void builtClientCallsTheConfiguredEndpointWithTheResolvedKey() {
        WireMockServer wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        try {
            wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                    .willReturn(aResponse().withStatus(200).withBody(OpenAiCompatibleClientTest.resource("groq-chat-completion.json"))));
            LlmClient client = LlmClients.fromConfig(Config.of(Map.of(
                    "LLM_PROVIDER", "openai", "LLM_API_KEY", "gsk_env", "LLM_BASE_URL", wireMock.baseUrl() + "/v1")), Optional.of("gsk_resolved"));

            LlmResponse response = client.complete(new LlmRequest("llama-3.1-8b-instant",
                    List.of(LlmRequest.ChatMessage.user("hello")), 64, Duration.ofSeconds(5)));

            assertThat(response.usage()).isEqualTo(new TokenUsage(18, 21));
            wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                    .withHeader("Authorization", equalTo("Bearer gsk_resolved")));
        } finally {
            wireMock.stop();
        }
    }
}
