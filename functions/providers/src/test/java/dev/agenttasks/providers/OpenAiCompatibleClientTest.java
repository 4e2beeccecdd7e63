package dev.agenttasks.providers;

import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.task.TokenUsage;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The client against WireMock serving Groq's real success and error shapes. */
class OpenAiCompatibleClientTest {

    private static final String API_KEY = "gsk_test_0123456789abcdefghijklmnopqrstuvwxyz";
    private static final String PATH = "/openai/v1/chat/completions";
    private static final String MODEL = "llama-3.1-8b-instant";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-02T10:00:00Z"), ZoneOffset.UTC);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static WireMockServer wireMock;
    private static HttpClient httpClient;

    private OpenAiCompatibleClient client;

    @BeforeAll
    static void startServer() {
        wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        httpClient = OpenAiCompatibleClient.newHttpClient(Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopServer() {
        wireMock.stop();
    }

    @BeforeEach
    void resetServer() {
        wireMock.resetAll();
        client = new OpenAiCompatibleClient(URI.create(wireMock.baseUrl() + "/openai/v1"), API_KEY, httpClient, CLOCK);
    }

    @Test
    void sendsOneChatCompletionAndReadsGroqsAnswer() {
        stub(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(resource("groq-chat-completion.json")));

        LlmResponse response = client.complete(request(MODEL, Duration.ofSeconds(5)));

        assertThat(response.content())
                .isEqualTo("Fast language models matter because they cut the wait between a question and a useful answer.");
        assertThat(response.model()).isEqualTo(MODEL);
        assertThat(response.usage()).isEqualTo(new TokenUsage(18, 21));
        wireMock.verify(1, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"model": "llama-3.1-8b-instant",
                         "messages": [{"role": "system", "content": "You are terse."},
                                      {"role": "user", "content": "Why do fast language models matter?"}],
                         "max_tokens": 256}""")));
        assertThat(wireMock.getAllServeEvents()).hasSize(1);
    }

    @Test
    void aKeylessClientSendsNoAuthorizationHeaderAndReportsErrorsAsIs() {
        OpenAiCompatibleClient keyless = OpenAiCompatibleClient.of(URI.create(wireMock.baseUrl() + "/openai/v1"),
                Optional.empty(), httpClient);
        stub(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(resource("groq-chat-completion.json")));

        LlmResponse response = keyless.complete(request(MODEL, TIMEOUT));

        assertThat(response.usage()).isEqualTo(new TokenUsage(18, 21));
        wireMock.verify(1, postRequestedFor(urlEqualTo(PATH)).withoutHeader("Authorization"));

        stub(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"model 'llama3.2' not found, try pulling it first\"}"));
        assertThatThrownBy(() -> keyless.complete(request(MODEL, TIMEOUT))).isInstanceOf(LlmException.class)
                .hasMessageContaining("not found, try pulling it first");
    }

    @Test
    void aBlankKeyIsRefusedRatherThanSentOrDropped() {
        URI base = URI.create(wireMock.baseUrl());

        assertThatThrownBy(() -> OpenAiCompatibleClient.of(base, " ", httpClient)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpenAiCompatibleClient.of(base, Optional.of(""), httpClient))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reusesTheClientForLaterCallsWithOneRequestEach() {
        stub(aResponse().withStatus(200).withBody(resource("groq-chat-completion.json")));

        client.complete(request(MODEL, TIMEOUT));
        client.complete(request(MODEL, TIMEOUT));

        assertThat(wireMock.getAllServeEvents()).hasSize(2);
    }

    @Test
    void baseUrlWithTrailingSlashGivesTheSamePath() {
        stub(aResponse().withStatus(200).withBody(resource("groq-chat-completion.json")));
        OpenAiCompatibleClient slashed = OpenAiCompatibleClient.of(URI.create(wireMock.baseUrl() + "/openai/v1/"), API_KEY, httpClient);

        slashed.complete(request(MODEL, TIMEOUT));

        assertThat(slashed.endpoint().getPath()).isEqualTo(PATH);
        wireMock.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void rateLimitIsTransientWithTheProvidersWaitHint() {
        stub(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json")
                .withHeader("retry-after", "3")
                .withHeader("x-ratelimit-limit-requests", "14400")
                .withHeader("x-ratelimit-limit-tokens", "6000")
                .withHeader("x-ratelimit-remaining-requests", "14370")
                .withHeader("x-ratelimit-remaining-tokens", "0")
                .withHeader("x-ratelimit-reset-requests", "2m59.56s")
                .withHeader("x-ratelimit-reset-tokens", "7.66s")
                .withBody(resource("groq-429-rate-limit.json")));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("http_429");
        assertThat(e.httpStatus()).contains(429);
        assertThat(e.retryAfter()).contains(Duration.ofMillis(7_660));
        assertThat(e.getMessage()).contains("Rate limit reached for model", "code=rate_limit_exceeded");
        assertThat(wireMock.getAllServeEvents()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource({
            "401, groq-401-invalid-api-key.json, Invalid API Key, invalid_api_key",
            "400, groq-400-model-decommissioned.json, has been decommissioned, model_decommissioned",
            "404, groq-404-model-not-found.json, does not exist or you do not have access to it, model_not_found",
            "413, groq-413-request-too-large.json, Request too large for model, rate_limit_exceeded"
    })
    void clientErrorsArePermanentAndCarryTheProvidersMessage(int status, String body, String text, String code) {
        stub(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("retry-after", "10").withBody(resource(body)));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.PERMANENT);
        assertThat(e.code()).isEqualTo("http_" + status);
        assertThat(e.httpStatus()).contains(status);
        assertThat(e.retryAfter()).isEmpty();
        assertThat(e.getMessage()).contains(text, "code=" + code).doesNotContain(API_KEY);
        assertThat(wireMock.getAllServeEvents()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource({
            "500, groq-500-internal-server-error.json, Internal Server Error",
            "503, groq-503-service-unavailable.json, Service Unavailable",
            "498, groq-498-flex-capacity-exceeded.json, Flex tier capacity exceeded"
    })
    void serverErrorsAreTransient(int status, String body, String text) {
        stub(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(resource(body)));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("http_" + status);
        assertThat(e.retryAfter()).isEmpty();
        assertThat(e.getMessage()).contains(text);
        assertThat(wireMock.getAllServeEvents()).hasSize(1);
    }

    @Test
    void htmlServiceUnavailableIsTransientWithoutTheMarkup() {
        stub(aResponse().withStatus(503).withHeader("Content-Type", "text/html")
                .withHeader("Retry-After", "Mon, 02 Jun 2025 10:02:00 GMT")
                .withBody(resource("groq-503-service-unavailable.html")));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("http_503");
        assertThat(e.retryAfter()).contains(Duration.ofMinutes(2));
        assertThat(e.getMessage()).isEqualTo("openai returned HTTP 503").doesNotContain("<");
    }

    @Test
    void keyEchoedByTheProviderIsRedacted() {
        stub(aResponse().withStatus(401).withHeader("Content-Type", "application/json").withBody(
                "{\"error\":{\"message\":\"Incorrect API key provided: " + API_KEY + "\",\"type\":\"invalid_request_error\","
                        + "\"code\":\"invalid_api_key\"}}"));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.getMessage()).contains("Incorrect API key provided: [redacted]").doesNotContain(API_KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"error\":{\"message\":\"Incorrect API key provided: sk-proj-****************************AbCd. You can find your API key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}",
            "{\"error\":{\"message\":\"Invalid API Key gsk_****************************************9xYz\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}",
            "upstream rejected Authorization: Bearer gsk_live_0123456789abcdefghijklmnopqrstuvwxyzABCD",
            "proxy signed with AKIAIOSFODNN7EXAMPLE and failed"
    })
    void keysOtherThanOursInAProviderErrorAreRedactedToo(String body) {
        stub(aResponse().withStatus(401).withHeader("Content-Type", "application/json").withBody(body));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.getMessage()).contains("[redacted]")
                .doesNotContain("sk-proj-*", "gsk_*", "gsk_live", "AKIAIOSFODNN7EXAMPLE");
    }

    @Test
    void aKeyInAnUnreadableSuccessNeverReachesTheMessageOrItsCauses() {
        stub(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("gsk_leaked0123456789abcdefghijklmnopqrstuvwxyz is not JSON " + API_KEY));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.code()).isEqualTo("bad_response");
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).as(t.getClass().getName())
                    .doesNotContain("gsk_leaked", API_KEY);
        }
    }

    @Test
    void slowAnswerTimesOutAsTransient() {
        stub(aResponse().withStatus(200).withFixedDelay(2_000).withBody(resource("groq-chat-completion.json")));
        long started = System.nanoTime();

        LlmException e = failure(request(MODEL, Duration.ofMillis(200)));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1_500));
        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("timeout");
        assertThat(e.httpStatus()).isEmpty();
        assertThat(wireMock.getAllServeEvents()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "MALFORMED_RESPONSE_CHUNK", "RANDOM_DATA_THEN_CLOSE"})
    void brokenConnectionsAreTransient(Fault fault) {
        stub(aResponse().withFault(fault));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("connection_error");
        assertThat(e.getCause()).isInstanceOf(IOException.class);
        assertThat(wireMock.getAllServeEvents()).hasSize(1);
    }

    @Test
    void refusedConnectionIsTransient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        OpenAiCompatibleClient unreachable = OpenAiCompatibleClient.of(URI.create("http://127.0.0.1:" + closedPort + "/v1"), API_KEY, httpClient);

        LlmException e = catchThrowableOfType(LlmException.class, () -> unreachable.complete(request(MODEL, TIMEOUT)));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("connection_error");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assi",
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}",
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\"}",
            "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":\"stop\"}]}",
            "[]",
            "<html><body>Bad gateway</body></html>"
    })
    void unreadableSuccessIsTransientBadResponse(String body) {
        stub(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("bad_response");
        assertThat(e.httpStatus()).contains(200);
        assertThat(wireMock.getAllServeEvents()).hasSize(1);
    }

    @Test
    void errorInsideASuccessfulStatusIsReportedAsBadResponse() {
        stub(aResponse().withStatus(200).withBody(resource("groq-500-internal-server-error.json")));

        LlmException e = failure(request(MODEL, TIMEOUT));

        assertThat(e.code()).isEqualTo("bad_response");
        assertThat(e.getMessage()).contains("Internal Server Error");
    }

    @Test
    void missingUsageAndModelFallBackToNoneAndTheRequestedModel() {
        stub(aResponse().withStatus(200).withBody(
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":\"length\"}]}"));

        LlmResponse response = client.complete(request("openai/gpt-oss-20b", TIMEOUT));

        assertThat(response.content()).isEmpty();
        assertThat(response.model()).isEqualTo("openai/gpt-oss-20b");
        assertThat(response.usage()).isEqualTo(TokenUsage.NONE);
    }

    @Test
    void noTimeLeftFailsWithoutSendingAnything() {
        LlmException e = failure(request(MODEL, Duration.ZERO));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("timeout");
        assertThat(wireMock.getAllServeEvents()).isEmpty();
    }

    @Test
    void interruptDuringTheCallIsTransientAndKeepsTheFlag() {
        stub(aResponse().withStatus(200).withFixedDelay(2_000).withBody(resource("groq-chat-completion.json")));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagAfterwards = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                client.complete(request(MODEL, TIMEOUT));
            } catch (RuntimeException e) {
                thrown.set(e);
            }
            flagAfterwards.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> !wireMock.getAllServeEvents().isEmpty());

        caller.interrupt();

        await().atMost(Duration.ofSeconds(1)).until(() -> !caller.isAlive());
        assertThat(thrown.get()).isInstanceOfSatisfying(LlmException.class, e -> {
            assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
            assertThat(e.code()).isEqualTo("interrupted");
        });
        assertThat(flagAfterwards).isTrue();
    }

    @Test
    void constructorRejectsBadSettings() {
        assertThatThrownBy(() -> OpenAiCompatibleClient.of(URI.create("https://api.groq.com/openai/v1"), " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("apiKey");
        assertThatThrownBy(() -> OpenAiCompatibleClient.of(URI.create("ftp://api.groq.com/openai/v1"), API_KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl").hasMessageNotContaining(API_KEY);
    }

    @Test
    void defaultsPointAtGroq() {
        OpenAiCompatibleClient groq = OpenAiCompatibleClient.of(OpenAiCompatibleClient.DEFAULT_BASE_URL, API_KEY);

        assertThat(groq.endpoint()).isEqualTo(URI.create("https://api.groq.com/openai/v1/chat/completions"));
        assertThat(groq.provider()).isEqualTo("openai");
    }

    private void stub(ResponseDefinitionBuilder response) {
        wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }

    private LlmException failure(LlmRequest request) {
        return catchThrowableOfType(LlmException.class, () -> client.complete(request));
    }

    private static LlmRequest request(String model, Duration timeout) {
        return new LlmRequest(model, List.of(
                LlmRequest.ChatMessage.system("You are terse."),
                LlmRequest.ChatMessage.user("Why do fast language models matter?")), 256, timeout);
    }

    static String resource(String name) {
        try (InputStream in = OpenAiCompatibleClientTest.class.getResourceAsStream("/llm/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /llm/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
