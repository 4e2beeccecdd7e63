package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/** The JSON API call over a real local HTTP server that answers as told: signing, errors, retries and the time bound. */
class AwsJsonApiIT {

    /** What the server got: headers (lower-case names) and body. */
    record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name, List.of("")).get(0);
        }
    }

    /** How the server answers one request. */
    interface Answer {
        void send(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private HttpServer server;
    private SdkHttpClient http;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                var headers = new java.util.HashMap<String, List<String>>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values));
                received.add(new Received(headers, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                Answer answer = answers.poll();
                (answer == null ? json(200, "{}") : answer).send(exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        // the HTTP client's own socket timeout is far longer than the calls' bound, so only the bound can end them
        http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(60)).build();
    }

    @AfterEach
    void stop() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
        http.close();
    }

    private AwsJsonApi api(Duration timeout) {
        return new AwsJsonApi(AwsJsonApi.Service.SSM, Optional.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort())),
                Region.EU_WEST_1, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                http, timeout);
    }

    private static Answer json(int status, String body) {
        return json(status, body, Map.of());
    }

    private static Answer json(int status, String body, Map<String, String> headers) {
        return exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            headers.forEach(exchange.getResponseHeaders()::add);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        };
    }

    @Test
    void aCallIsASigV4SignedPostOfTheJsonBodyWithTheOperationAsTarget() throws IOException {
        answers.add(json(200, "{\"Parameter\":{\"Name\":\"/p\",\"Value\":\"v\"}}"));

        assertThat(api(Duration.ofSeconds(5)).call("GetParameter", Map.of("Name", "/p", "WithDecryption", true))
                .path("Parameter").path("Value").asText()).isEqualTo("v");

        Received request = received.poll();
        assertThat(request.header("x-amz-target")).isEqualTo("AmazonSSM.GetParameter");
        assertThat(request.header("content-type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(JSON.readTree(request.body())).isEqualTo(JSON.readTree("{\"Name\":\"/p\",\"WithDecryption\":true}"));
        assertThat(request.header("x-amz-date")).matches("\\d{8}T\\d{6}Z");
        assertThat(request.header("authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + request.header("x-amz-date").substring(0, 8)
                        + "/eu-west-1/ssm/aws4_request, SignedHeaders=")
                .contains("content-type", "host", "x-amz-date", "x-amz-target")
                .containsPattern("Signature=[0-9a-f]{64}$");
    }

    @Test
    void aRefusalIsTheSdksServiceExceptionWithTheErrorCodeAndIsNotRetried() {
        answers.add(json(400, "{\"__type\":\"AccessDeniedException\",\"message\":\"User: arn:aws:sts::1:assumed-role/r/f"
                + " is not authorized to perform: ssm:GetParameter\"}"));

        assertThatThrownBy(() -> api(Duration.ofSeconds(5)).call("GetParameter", Map.of("Name", "/p")))
                .isInstanceOfSatisfying(AwsServiceException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
                    assertThat(e.awsErrorDetails().errorMessage()).contains("is not authorized");
                    assertThat(e.statusCode()).isEqualTo(400);
                });
        assertThat(received).hasSize(1);
    }

    @Test
    void theErrorCodeComesFromTheTypesLastPartOrTheErrorTypeHeader() {
        answers.add(json(400, "{\"__type\":\"com.amazonaws.ssm#ParameterNotFound\"}"));
        answers.add(json(400, "", Map.of("x-amzn-ErrorType", "ParameterVersionNotFound:http://internal.amazon.com/")));

        assertThatThrownBy(() -> api(Duration.ofSeconds(5)).call("GetParameter", Map.of("Name", "/p")))
                .isInstanceOfSatisfying(AwsServiceException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ParameterNotFound"));
        assertThatThrownBy(() -> api(Duration.ofSeconds(5)).call("GetParameter", Map.of("Name", "/p")))
                .isInstanceOfSatisfying(AwsServiceException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ParameterVersionNotFound"));
    }

    @Test
    void throttlingAndServerErrorsAreRetriedUpToThreeAttempts() {
        answers.add(json(400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"));
        answers.add(json(500, "{\"__type\":\"InternalServerError\"}"));
        answers.add(json(200, "{\"Parameter\":{\"Value\":\"v\"}}"));

        assertThat(api(Duration.ofSeconds(5)).call("GetParameter", Map.of("Name", "/p")).path("Parameter").path("Value")
                .asText()).isEqualTo("v");
        assertThat(received).hasSize(3);

        answers.add(json(503, ""));
        answers.add(json(503, ""));
        answers.add(json(503, ""));
        answers.add(json(200, "{}"));
        assertThatThrownBy(() -> api(Duration.ofSeconds(5)).call("GetParameter", Map.of("Name", "/p")))
                .isInstanceOfSatisfying(AwsServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
        assertThat(received).hasSize(6);
    }

    @Test
    void anAnswerThatNeverComesEndsTheCallAtItsBound() {
        answers.add(exchange -> released.await());

        assertTheCallEndsAtItsBoundOf500Ms();
    }

    @Test
    void aBodyThatStopsHalfwayEndsTheCallAtItsBound() {
        answers.add(exchange -> {
            exchange.sendResponseHeaders(200, 100);
            OutputStream body = exchange.getResponseBody();
            body.write("{\"Parameter\":".getBytes(StandardCharsets.UTF_8));
            body.flush();
            released.await();
        });

        assertTheCallEndsAtItsBoundOf500Ms();
    }

    private void assertTheCallEndsAtItsBoundOf500Ms() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> api(Duration.ofMillis(500)).call("GetParameter", Map.of("Name", "/p")))
                .isInstanceOf(SdkClientException.class)
                .hasMessageStartingWith("SSM GetParameter did not complete within 500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void anUnreadableSuccessfulAnswerIsNeverQuotedItMayHoldTheSecret() {
        for (int i = 0; i < AwsJsonApi.MAX_ATTEMPTS; i++) {
            answers.add(json(200, "Parameter Value gsk_secret"));
        }

        assertThatThrownBy(() -> api(Duration.ofSeconds(5)).call("GetParameter", Map.of("Name", "/p")))
                .isInstanceOf(SdkClientException.class)
                .hasMessage("the answer to SSM GetParameter (HTTP 200) is not JSON")
                .satisfies(e -> assertThat(e.getCause()).isNull());
    }

    @Test
    void anAnswerLargerThanTheLimitIsRefused() {
        String large = "{\"Value\":\"" + "x".repeat(AwsJsonApi.MAX_RESPONSE_BYTES) + "\"}";
        for (int i = 0; i < AwsJsonApi.MAX_ATTEMPTS; i++) {
            answers.add(json(200, large));
        }

        assertThatThrownBy(() -> api(Duration.ofSeconds(5)).call("GetParameter", Map.of("Name", "/p")))
                .isInstanceOf(SdkClientException.class)
                .hasMessage("the answer to GetParameter is larger than " + AwsJsonApi.MAX_RESPONSE_BYTES + " bytes");
    }
}
