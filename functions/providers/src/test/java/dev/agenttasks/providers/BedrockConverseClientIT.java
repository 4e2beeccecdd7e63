package dev.agenttasks.providers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.routing.AttemptCharge;
import dev.agenttasks.domain.routing.RoutingConfigLoader;
import dev.agenttasks.domain.task.TokenUsage;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The Bedrock client against WireMock standing in for the Converse endpoint, with Bedrock's answer and error shapes. */
class BedrockConverseClientIT {

    private static final String MODEL = "amazon.nova-micro-v1:0";
    /** The SDK encodes the model id's colon in the path. */
    private static final String PATH = "/model/amazon.nova-micro-v1%3A0/converse";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static WireMockServer wireMock;
    private BedrockConverseClient client;

    @BeforeAll
    static void startServer() {
        wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
    }

    @AfterAll
    static void stopServer() {
        wireMock.stop();
    }

    @BeforeEach
    void resetServer() {
        wireMock.resetAll();
        client = BedrockConverseClient.forEndpoint(URI.create(wireMock.baseUrl()), "us-east-1",
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")), Duration.ofSeconds(10));
    }

    @Test
    void sendsOneSignedConverseCallAndReadsTheAnswerAndUsage() {
        stub(ok(OpenAiCompatibleClientTest.resource("bedrock-converse.json")));

        LlmResponse response = client.complete(new LlmRequest(MODEL, List.of(ChatMessage.system("You are terse."),
                ChatMessage.user("Why do fast language models matter?")), 256, TIMEOUT));

        assertThat(response.content())
                .isEqualTo("Fast language models matter because they cut the wait between a question and a useful answer.");
        assertThat(response.model()).as("Converse names no model; the requested one is reported").isEqualTo(MODEL);
        assertThat(response.usage()).isEqualTo(new TokenUsage(19, 18));
        wireMock.verify(1, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", matching("AWS4-HMAC-SHA256 Credential=AKIDTEST/\\d{8}/us-east-1/bedrock/aws4_request, .*"))
                .withRequestBody(equalToJson("""
                        {"system": [{"text": "You are terse."}],
                         "messages": [{"role": "user", "content": [{"text": "Why do fast language models matter?"}]}],
                         "inferenceConfig": {"maxTokens": 256}}""")));
        assertThat(wireMock.getAllServeEvents()).hasSize(1);
    }

    @Test
    void historyAlternatesRolesAndMessagesOfOneRoleInARowAreMerged() {
        stub(ok(OpenAiCompatibleClientTest.resource("bedrock-converse.json")));

        client.complete(new LlmRequest(MODEL, List.of(ChatMessage.system("Be brief."), ChatMessage.system("Be kind."),
                ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"), ChatMessage.user("Context: leases."),
                ChatMessage.user("What is a lease?")), 64, TIMEOUT));

        wireMock.verify(postRequestedFor(urlEqualTo(PATH)).withRequestBody(equalToJson("""
                {"system": [{"text": "Be brief."}, {"text": "Be kind."}],
                 "messages": [{"role": "user", "content": [{"text": "Hi"}]},
                              {"role": "assistant", "content": [{"text": "Hello!"}]},
                              {"role": "user", "content": [{"text": "Context: leases."}, {"text": "What is a lease?"}]}],
                 "inferenceConfig": {"maxTokens": 64}}""")));
    }

    @ParameterizedTest(name = "{1} ({0}) is {3} with code {4}")
    @CsvSource(delimiter = '|', textBlock = """
            429 | ThrottlingException           | Too many requests, please wait before trying again.                                | TRANSIENT | throttling
            429 | ModelNotReadyException        | Model is not ready for inference. Wait and try your request again.                | TRANSIENT | model_not_ready
            503 | ServiceUnavailableException   | Bedrock is unable to process your request.                                         | TRANSIENT | service_unavailable
            500 | InternalServerException       | The system encountered an unexpected error during processing. Try your request again. | TRANSIENT | internal_server
            408 | ModelTimeoutException         | Model has timed out in processing the request. Try your request again.            | TRANSIENT | model_timeout
            400 | ValidationException           | The provided model identifier is invalid.                                          | PERMANENT | validation
            403 | AccessDeniedException         | You don't have access to the model with the specified model ID.                    | PERMANENT | access_denied
            404 | ResourceNotFoundException     | This model version has reached the end of its life.                                | PERMANENT | resource_not_found
            400 | ServiceQuotaExceededException | Your request exceeds the service quota for your account.                           | PERMANENT | service_quota_exceeded
            424 | ModelErrorException           | The model encountered an error.                                                    | PERMANENT | model_error
            502 | BadGatewayException           | upstream failed                                                                    | TRANSIENT | http_502
            409 | ConflictException             | conflict                                                                           | PERMANENT | http_409
            """)
    void eachBedrockErrorIsClassifiedAfterOneCall(int status, String type, String message, LlmException.Kind kind,
                                                   String code) {
        stub(bedrockError(status, type, "{\"message\":\"" + message.replace("\"", "\\\"") + "\"}"));

        LlmException e = catchThrowableOfType(LlmException.class, () -> client.complete(request()));

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.httpStatus()).contains(status);
        assertThat(e).hasMessage("bedrock returned HTTP " + status + " " + type + ": " + message);
        assertThat(wireMock.getAllServeEvents()).as("the SDK's own retries are off").hasSize(1);
    }

    @Test
    void theRecordedThrottlingBodyAndARetryAfterHeaderGiveAWaitHint() {
        stub(bedrockError(429, "ThrottlingException", OpenAiCompatibleClientTest.resource("bedrock-429-throttling.json"))
                .withHeader("Retry-After", "7"));

        LlmException e = catchThrowableOfType(LlmException.class, () -> client.complete(request()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.getMessage()).endsWith("Too many requests, please wait before trying again.");
    }

    @Test
    void aPermanentErrorCarriesNoWaitHint() {
        stub(bedrockError(400, "ValidationException", "{\"message\":\"bad\"}").withHeader("Retry-After", "7"));

        assertThat(catchThrowableOfType(LlmException.class, () -> client.complete(request())).retryAfter()).isEmpty();
    }

    @Test
    void aSlowAnswerTimesOutAtTheRequestsTimeoutAsTransient() {
        stub(ok(OpenAiCompatibleClientTest.resource("bedrock-converse.json")).withFixedDelay(5_000));
        long started = System.nanoTime();

        LlmException e = catchThrowableOfType(LlmException.class, () -> client.complete(
                new LlmRequest(MODEL, List.of(ChatMessage.user("hi")), 16, Duration.ofMillis(300))));

        assertThat(e.isTransient()).isTrue();
        assertThat(e.code()).isEqualTo("timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        assertThat(Thread.interrupted()).as("the SDK's timeout leaves the thread uninterrupted").isFalse();
        assertThat(AttemptCharge.SENT_WITHOUT_ANSWER).as("charged as possibly billed").contains(e.code());
    }

    @Test
    void aResetConnectionIsTransient() {
        stub(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        LlmException e = catchThrowableOfType(LlmException.class, () -> client.complete(request()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e.code()).isEqualTo("connection_error");
    }

    @Test
    void aRefusedConnectionIsTransientAndNothingWasSent() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        BedrockConverseClient unreachable = BedrockConverseClient.forEndpoint(URI.create("http://127.0.0.1:" + closedPort),
                "us-east-1", StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")), Duration.ofSeconds(2));

        LlmException e = catchThrowableOfType(LlmException.class, () -> unreachable.complete(request()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e.code()).isEqualTo("connect_failed");
        assertThat(AttemptCharge.SENT_WITHOUT_ANSWER).as("not billed").doesNotContain(e.code());
    }

    @Test
    void anAnswerWithoutTextIsTransientUnlessAFilterWithheldIt() {
        stub(ok("{\"output\":{\"message\":{\"content\":[],\"role\":\"assistant\"}},\"stopReason\":\"end_turn\","
                + "\"usage\":{\"inputTokens\":3,\"outputTokens\":0,\"totalTokens\":3}}"));
        LlmException empty = catchThrowableOfType(LlmException.class, () -> client.complete(request()));
        stub(ok("{\"output\":{\"message\":{\"content\":[],\"role\":\"assistant\"}},\"stopReason\":\"guardrail_intervened\","
                + "\"usage\":{\"inputTokens\":3,\"outputTokens\":0,\"totalTokens\":3}}"));
        LlmException filtered = catchThrowableOfType(LlmException.class, () -> client.complete(request()));

        assertThat(empty.isTransient()).isTrue();
        assertThat(empty.code()).isEqualTo("bad_response");
        assertThat(filtered.isTransient()).isFalse();
        assertThat(filtered.code()).isEqualTo("content_filtered");
        assertThat(filtered).hasMessage("bedrock withheld the answer (stopReason guardrail_intervened)");
    }

    @Test
    void anAnswerWithoutUsageReportsNone() {
        stub(ok("{\"output\":{\"message\":{\"content\":[{\"text\":\"ok\"}],\"role\":\"assistant\"}},\"stopReason\":\"end_turn\"}"));

        assertThat(client.complete(request()).usage()).isEqualTo(TokenUsage.NONE);
    }

    @Test
    void noTimeLeftSendsNothing() {
        LlmException e = catchThrowableOfType(LlmException.class, () -> client.complete(
                new LlmRequest(MODEL, List.of(ChatMessage.user("hi")), 16, Duration.ZERO)));

        assertThat(e.code()).isEqualTo("timeout");
        assertThat(wireMock.getAllServeEvents()).isEmpty();
    }

    @Test
    void llmProviderBedrockBuildsAClientForTheConfiguredEndpointRegionAndCredentials() {
        stub(ok(OpenAiCompatibleClientTest.resource("bedrock-converse.json")));
        LlmClient built = LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "bedrock",
                "BEDROCK_ENDPOINT_URL", wireMock.baseUrl(), "AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "AKIDCONFIG", "AWS_SECRET_ACCESS_KEY", "secret")));

        LlmResponse response = built.complete(request());

        assertThat(built.provider()).isEqualTo("bedrock");
        assertThat(response.usage()).isEqualTo(new TokenUsage(19, 18));
        wireMock.verify(1, postRequestedFor(urlEqualTo(PATH)).withHeader("Authorization",
                matching("AWS4-HMAC-SHA256 Credential=AKIDCONFIG/\\d{8}/eu-west-1/bedrock/aws4_request, .*")));
    }

    @Test
    void eachModelGoesToItsOwnProvider() {
        stub(ok(OpenAiCompatibleClientTest.resource("bedrock-converse.json")));
        wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(ok(OpenAiCompatibleClientTest.resource("groq-chat-completion.json"))));
        String routing = """
                {"models": {
                   "amazon.nova-micro-v1:0": {"provider": "bedrock", "context_window_tokens": 128000,
                       "usd_per_million_input_tokens": 0.035, "usd_per_million_output_tokens": 0.14},
                   "llama-3.3-70b-versatile": {"context_window_tokens": 131072,
                       "usd_per_million_input_tokens": 0.59, "usd_per_million_output_tokens": 0.79}},
                 "tiers": {
                   "simple": {"model": "amazon.nova-micro-v1:0", "max_output_tokens": 400, "budget_tokens": 6000,
                              "reserved_output_tokens": 800, "max_total_tokens": 18000},
                   "standard": {"model": "llama-3.3-70b-versatile", "max_output_tokens": 800, "budget_tokens": 6000,
                                "reserved_output_tokens": 800, "max_total_tokens": 18000}},
                 "routing": {"default_tier": "standard"}}""";
        LlmClient routed = LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "openai",
                        "LLM_BASE_URL", wireMock.baseUrl() + "/v1", "BEDROCK_ENDPOINT_URL", wireMock.baseUrl(),
                        "AWS_ACCESS_KEY_ID", "AKIDCONFIG", "AWS_SECRET_ACCESS_KEY", "secret")),
                RoutingConfigLoader.parse(routing, "test"), Optional.of("gsk_key"));

        routed.complete(request());
        routed.complete(new LlmRequest("llama-3.3-70b-versatile", List.of(ChatMessage.user("hi")), 16, TIMEOUT));

        assertThat(routed).isInstanceOfSatisfying(ModelRoutedLlmClient.class, r -> {
            assertThat(r.providerFor(MODEL)).isEqualTo("bedrock");
            assertThat(r.providerFor("llama-3.3-70b-versatile")).isEqualTo("openai");
            assertThat(r.providerFor("unlisted")).as("LLM_PROVIDER").isEqualTo("openai");
        });
        wireMock.verify(1, postRequestedFor(urlEqualTo(PATH)));
        wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }

    @Test
    void oneProviderForEveryModelIsThatProvidersClientAsItIs() {
        LlmClient client = LlmClients.fromConfig(Config.of(Map.of("LLM_PROVIDER", "simulated")),
                RoutingConfigLoader.builtIn(), Optional.empty());

        assertThat(client).isInstanceOf(SimulatedLlmClient.class);
    }

    private static LlmRequest request() {
        return new LlmRequest(MODEL, List.of(ChatMessage.user("Why do fast language models matter?")), 256, TIMEOUT);
    }

    private static ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-RequestId", "5c1f2a9e-0000-4000-8000-1234567890ab").withBody(body);
    }

    /** An error as Bedrock sends it: the status, the type in x-amzn-ErrorType, a JSON body with the message. */
    private static ResponseDefinitionBuilder bedrockError(int status, String type, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-RequestId", "5c1f2a9e-0000-4000-8000-1234567890ab")
                .withHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
                .withBody(body);
    }

    private static void stub(ResponseDefinitionBuilder response) {
        wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }
}
