package dev.agenttasks.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.agenttasks.localaws.SamTemplate.HttpRoute;

/**
 * The local HTTP API over a real socket with a recording function: payload limits where API Gateway and
 * Lambda put them, answered the way they answer, and the function's Timeout.
 */
class LocalHttpApiTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int MIB = 1024 * 1024;

    private final List<APIGatewayV2HTTPEvent> invocations = new CopyOnWriteArrayList<>();
    private LocalHttpApi api;

    @BeforeEach
    void start() throws IOException {
        api = new LocalHttpApi("127.0.0.1", 0, Optional.empty());
        api.bind(new HttpRoute("POST", "/echo", "Echo", false), new LocalFunction<>("Echo",
                (APIGatewayV2HTTPEvent event, Context context) -> {
                    invocations.add(event);
                    return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                            .withHeaders(new HashMap<>(Map.of("Content-Type", "text/plain")))
                            .withBody(String.valueOf(event.getBody().length())).build();
                }, 30, 128));
        api.bind(new HttpRoute("POST", "/slow", "Slow", false), new LocalFunction<>("Slow",
                (APIGatewayV2HTTPEvent event, Context context) -> {
                    invocations.add(event);
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return APIGatewayV2HTTPResponse.builder().withStatusCode(200).build();
                }, 1, 128));
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] jsonOfSize(int bytes) {
        byte[] body = new byte[bytes];
        Arrays.fill(body, (byte) 'x');
        byte[] start = "{\"task\":\"".getBytes();
        System.arraycopy(start, 0, body, 0, start.length);
        body[bytes - 2] = '"';
        body[bytes - 1] = '}';
        return body;
    }

    private static void assertApiGateways413(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"message\":\"Request Entity Too Large\"}");
    }

    @Test
    void aBodyWhoseEventFitsLambdasLimitReachesTheFunctionWhole() throws Exception {
        int size = LocalHttpApi.MAX_INVOCATION_PAYLOAD_BYTES - 64 * 1024;

        HttpResponse<String> response = post("/echo", "application/json", jsonOfSize(size));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(String.valueOf(size));
        assertThat(invocations).hasSize(1);
    }

    @Test
    void aBodyWhoseEventExceedsLambdasLimitIsAnsweredLikeApiGatewayAndNeverInvokes() throws Exception {
        HttpResponse<String> response = post("/echo", "application/json",
                jsonOfSize(LocalHttpApi.MAX_INVOCATION_PAYLOAD_BYTES + 1));

        assertApiGateways413(response);
        assertThat(invocations).isEmpty();
    }

    @Test
    void aBinaryBodyCountsAtItsBase64SizeInTheEvent() throws Exception {
        byte[] binary = new byte[5 * MIB];

        HttpResponse<String> response = post("/echo", "application/octet-stream", binary);

        assertApiGateways413(response);
        assertThat(invocations).isEmpty();
    }

    @Test
    void aBodyOverApiGatewaysPayloadLimitIsRefusedBeforeAnyRoute() throws Exception {
        HttpResponse<String> routed = post("/echo", "application/json", jsonOfSize(LocalHttpApi.MAX_PAYLOAD_BYTES + 1));
        HttpResponse<String> unrouted = post("/nowhere", "application/json", jsonOfSize(LocalHttpApi.MAX_PAYLOAD_BYTES + 1));

        assertApiGateways413(routed);
        assertApiGateways413(unrouted);
        assertThat(invocations).isEmpty();
    }

    @Test
    void anInvocationPastTheFunctionsTimeoutIsApiGateways500() throws Exception {
        long started = System.nanoTime();

        HttpResponse<String> response = post("/slow", "application/json", "{}".getBytes());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
        assertThat(invocations).hasSize(1);
    }
}
