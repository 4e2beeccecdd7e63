package dev.agenttasks.providers;

import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.task.TokenUsage;
import dev.agenttasks.config.Config;
import dev.agenttasks.json.JsonReadException;
import dev.agenttasks.json.JsonReader;
import dev.agenttasks.json.JsonValue;
import dev.agenttasks.json.JsonWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Optional;

/**
 * Chat completions against any OpenAI-compatible API ({@code POST {baseUrl}/chat/completions}),
 * Groq by default. One HTTP call per {@link #complete}: no retries, no redirects, bounded in time by
 * the request's timeout (body included) and in size by {@link #MAX_RESPONSE_BYTES}.
 *
 * <p>Failures are classified by {@link ProviderErrorClassifier}. A 2xx answer whose body cannot
 * be read as a completion (empty, truncated, no {@code choices}, no message content) is
 * {@code TRANSIENT} with code {@value #CODE_BAD_RESPONSE}: providers and proxies occasionally
 * cut bodies short, and the same request usually succeeds when sent again. A success body over
 * {@link #MAX_RESPONSE_BYTES} is such an answer too; it is not read past the cap.
 *
 * <p>The API key is sent only in the {@code Authorization} header. Provider text copied into exception
 * messages passes through a {@link SecretRedactor} (the key, and anything shaped like a key); a
 * completion's content is returned as the provider sent it.
 * A keyless client (a local vLLM, Ollama or llama.cpp server) sends no {@code Authorization} header at all.
 */
public final class OpenAiCompatibleClient implements LlmClient {

    public static final String PROVIDER = "openai";
    public static final URI DEFAULT_BASE_URL = Config.DEFAULT_LLM_BASE_URL;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final String CODE_BAD_RESPONSE = "bad_response";
    /**
     * The largest success body read: far above any completion the API's {@code max_tokens} allows (8,192
     * tokens are tens of KB), far below what would strain a worker's memory.
     */
    public static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
    /** How much of an error body is read: its start explains it; the status classifies it. */
    static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private final URI endpoint;
    private final Optional<String> apiKey;
    private final HttpClient httpClient;
    private final SecretRedactor redactor;
    private final ProviderErrorClassifier classifier;

    /**
     * @param baseUrl    the API root, e.g. {@code https://api.groq.com/openai/v1}
     * @param httpClient used for every call; its connect timeout and executor are the caller's choice
     */
    public OpenAiCompatibleClient(URI baseUrl, String apiKey, HttpClient httpClient, Clock clock) {
        this(baseUrl, Optional.of(requireKey(apiKey)), httpClient, clock);
    }

    /**
     * @param apiKey empty for an endpoint that takes no key: then no {@code Authorization} header is sent
     */
    public OpenAiCompatibleClient(URI baseUrl, Optional<String> apiKey, HttpClient httpClient, Clock clock) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        this.endpoint = chatCompletionsEndpoint(baseUrl);
        this.apiKey = apiKey.map(OpenAiCompatibleClient::requireKey).map(String::strip);
        this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
        this.redactor = SecretRedactor.removing(this.apiKey.orElse(null));
        this.classifier = new ProviderErrorClassifier(PROVIDER, clock, redactor);
    }

    /** A client with its own {@link HttpClient} (connect timeout {@link #DEFAULT_CONNECT_TIMEOUT}). */
    public static OpenAiCompatibleClient of(URI baseUrl, String apiKey) {
        return of(baseUrl, apiKey, newHttpClient(DEFAULT_CONNECT_TIMEOUT, baseUrl));
    }

    public static OpenAiCompatibleClient of(URI baseUrl, String apiKey, HttpClient httpClient) {
        return new OpenAiCompatibleClient(baseUrl, apiKey, httpClient, Clock.systemUTC());
    }

    /** A client with a key, or without one (no {@code Authorization} header) when {@code apiKey} is empty. */
    public static OpenAiCompatibleClient of(URI baseUrl, Optional<String> apiKey, HttpClient httpClient) {
        return new OpenAiCompatibleClient(baseUrl, apiKey, httpClient, Clock.systemUTC());
    }

    private static String requireKey(String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey must not be blank");
        }
        return apiKey;
    }

    /** The lean default: a connect timeout and no redirects; build it once and reuse it. */
    public static HttpClient newHttpClient(Duration connectTimeout) {
        return newHttpClient(connectTimeout, HttpClient.Version.HTTP_2);
    }

    /**
     * As {@link #newHttpClient(Duration)} for {@code baseUrl}: HTTP/1.1 for cleartext URLs, since the JDK's
     * h2c upgrade on POSTs stalls against some servers; HTTP/2 over TLS.
     */
    public static HttpClient newHttpClient(Duration connectTimeout, URI baseUrl) {
        return newHttpClient(connectTimeout, "http".equalsIgnoreCase(baseUrl.getScheme())
                ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2);
    }

    private static HttpClient newHttpClient(Duration connectTimeout, HttpClient.Version version) {
        return HttpClient.newBuilder()
                .version(version)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * One call, bounded as a whole by {@link LlmRequest#timeout()}: connecting, waiting for the headers and
     * reading the body. Past it the exchange is cancelled (the connection is dropped, nothing keeps reading)
     * and the call fails as a transient {@code timeout}.
     */
    @Override
    public LlmResponse complete(LlmRequest request) {
        Duration timeout = request.timeout();
        if (timeout.isZero() || timeout.isNegative()) {
            throw LlmException.transientError(ProviderErrorClassifier.CODE_TIMEOUT,
                    PROVIDER + " call not sent: no time left (timeout " + timeout + ")", null);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(request)));
        apiKey.ifPresent(key -> builder.header("Authorization", "Bearer " + key));
        HttpRequest httpRequest = builder.build();
        CappedBody body = new CappedBody(MAX_RESPONSE_BYTES, MAX_ERROR_BODY_BYTES);
        CompletableFuture<HttpResponse<byte[]>> exchange = httpClient.sendAsync(httpRequest, body);
        HttpResponse<byte[]> response;
        try {
            response = exchange.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            cancel(exchange, body);
            throw LlmException.transientError(ProviderErrorClassifier.CODE_TIMEOUT,
                    PROVIDER + " did not answer in full within " + timeout.toMillis() + " ms", null);
        } catch (InterruptedException e) {
            cancel(exchange, body);
            throw classifier.fromInterrupt(e);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
        int status = response.statusCode();
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (status < 200 || status > 299) {
            throw classifier.fromHttpResponse(status, response.headers(), text);
        }
        return parseCompletion(status, text, request.model());
    }

    private static void cancel(CompletableFuture<?> exchange, CappedBody body) {
        exchange.cancel(true);
        body.abandon();
    }

    private LlmException failure(Throwable cause) {
        if (cause instanceof CappedBody.TooLargeException tooLarge) {
            return badResponse(tooLarge.status(), tooLarge.getMessage(), null);
        }
        if (cause instanceof IOException io) {
            return classifier.fromIOException(io);
        }
        return LlmException.transientError(ProviderErrorClassifier.CODE_CONNECTION_ERROR,
                PROVIDER + " call failed: " + cause.getClass().getSimpleName(), cause);
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    /** Where requests go: {@code {baseUrl}/chat/completions}. */
    public URI endpoint() {
        return endpoint;
    }

    private static byte[] requestBody(LlmRequest request) {
        List<Map<String, String>> messages = new ArrayList<>();
        for (LlmRequest.ChatMessage message : request.messages()) {
            Map<String, String> turn = new LinkedHashMap<>();
            turn.put("role", message.role());
            turn.put("content", message.content());
            messages.add(turn);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", request.model());
        body.put("messages", messages);
        body.put("max_tokens", request.maxTokens());
        return JsonWriter.compact().writeBytes(body);
    }

    private LlmResponse parseCompletion(int status, String body, String requestedModel) {
        JsonValue root;
        try {
            root = body == null || body.isBlank() ? null : JsonReader.tolerant().read(body);
        } catch (JsonReadException e) {
            // Not the parser's exception as the cause: its message quotes the body.
            throw badResponse(status, "body is not JSON (" + redactor.redact(e.reason()) + ")", null);
        }
        if (root == null || !root.isObject()) {
            throw badResponse(status, "body is empty or not a JSON object", null);
        }
        JsonValue content = root.path("choices").path(0).path("message").path("content");
        if (!content.isString()) {
            String detail = classifier.errorDetail(body).map(d -> ": " + d).orElse("");
            throw badResponse(status, "no choices[0].message.content" + detail, null);
        }
        String model = root.path("model").asText("");
        JsonValue usage = root.path("usage");
        TokenUsage tokens = usage.isObject()
                ? new TokenUsage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0))
                : TokenUsage.NONE;
        return new LlmResponse(content.asText(), model.isEmpty() ? requestedModel : model, tokens);
    }

    private static LlmException badResponse(int status, String detail, Throwable cause) {
        return new LlmException(LlmException.Kind.TRANSIENT, CODE_BAD_RESPONSE,
                PROVIDER + " returned HTTP " + status + " with an unreadable completion: " + detail,
                status, null, cause);
    }

    private static URI chatCompletionsEndpoint(URI baseUrl) {
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        URI endpoint = URI.create(base + "/chat/completions");
        String scheme = endpoint.getScheme();
        if (!("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme)) || endpoint.getHost() == null) {
            throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL, got " + baseUrl);
        }
        return endpoint;
    }
}
