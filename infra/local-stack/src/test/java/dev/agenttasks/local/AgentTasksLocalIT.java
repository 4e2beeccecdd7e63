package dev.agenttasks.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.agenttasks.localaws.SharedMotoServer;

/**
 * The whole local stack in-process, driven through real sockets, with an OpenAI-compatible provider
 * stand-in (WireMock) that echoes the requested model.
 */
class AgentTasksLocalIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static WireMockServer provider;
    private static AgentTasksLocal stack;
    private static String base;

    @BeforeAll
    static void start() {
        provider = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        provider.start();
        provider.stubFor(post(urlEqualTo("/openai/v1/chat/completions")).willReturn(aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withTransformers("response-template")
                .withBody("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764300000,"
                        + "\"model\":\"{{jsonPath request.body '$.model'}}\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"Answer from {{jsonPath request.body '$.model'}}\"},"
                        + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":40,"
                        + "\"completion_tokens\":20,\"total_tokens\":60}}")));
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("AWS_ENDPOINT_URL", SharedMotoServer.get().endpoint().toString());
        env.put("LLM_PROVIDER", "openai");
        env.put("LLM_BASE_URL", provider.baseUrl() + "/openai/v1");
        env.put("LLM_API_KEY", "gsk_test");
        env.put("LOCAL_API_KEYS", "alice-token=alice,bob-token=bob");
        env.put("PATH", System.getenv("PATH"));
        SharedMotoServer.get().reset();
        stack = AgentTasksLocal.start(env);
        base = "http://127.0.0.1:" + stack.port();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (provider != null) {
            provider.stop();
        }
    }

    private static HttpResponse<String> send(String method, String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    @Test
    void simpleAndComplexTasksCompleteOnTheirModelsWithACost() throws Exception {
        List<String> simple = List.of("What is a lease?", "Define idempotency.", "List three queues.",
                "How many days in a week?", "Classify this: spam or ham?");
        List<String> complex = List.of("Design a retry policy for a payment system and explain trade-offs.",
                "Write a Java class that implements a token bucket.",
                "Compare DynamoDB and PostgreSQL for a multi-tenant task queue in depth.",
                "Explain how a circuit breaker shared across Lambda instances should behave under partial outages.",
                "What is the best way to migrate a monolith to event-driven services, step by step, considering "
                        + "data ownership, consistency, observability, team structure and rollback strategies?");
        Map<String, String> expectedModel = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (String task : simple) {
            String id = submit(task);
            ids.add(id);
            expectedModel.put(id, "llama-3.1-8b-instant");
        }
        for (String task : complex) {
            String id = submit(task);
            ids.add(id);
            expectedModel.put(id, "llama-3.3-70b-versatile");
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(json(send("GET", "/tasks/" + id, "alice-token", null)).get("status").asText()).isEqualTo("complete");
            }
        });
        for (String id : ids) {
            JsonNode task = json(send("GET", "/tasks/" + id, "alice-token", null));
            assertThat(task.get("model").asText()).isEqualTo(expectedModel.get(id));
            assertThat(task.get("result").asText()).isEqualTo("Answer from " + expectedModel.get(id));
            assertThat(task.get("cost_usd").decimalValue()).isPositive();
            assertThat(task.get("duration_ms").asLong()).isNotNegative();
            assertThat(task.get("usage").get("total_tokens").asLong()).isEqualTo(60);
        }
        provider.verify(10, postRequestedFor(urlEqualTo("/openai/v1/chat/completions")));
    }

    private static String submit(String task) throws Exception {
        HttpResponse<String> response = send("POST", "/tasks", "alice-token", JSON.writeValueAsString(Map.of("task", task)));
        assertThat(response.statusCode()).isEqualTo(202);
        String id = json(response).get("task_id").asText();
        assertThat(response.headers().firstValue("Location")).hasValue("/tasks/" + id);
        assertThat(json(response).get("status").asText()).isEqualTo("pending");
        return id;
    }

    @Test
    void missingOrUnknownBearerTokensAreRejected() throws Exception {
        HttpResponse<String> none = send("POST", "/tasks", null, "{\"task\":\"What is SQS?\"}");
        HttpResponse<String> unknown = send("GET", "/tasks/aaaaaaaaaaaaaaaaaaaaaaaaaa", "stolen", null);

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(none).get("type").asText()).isEqualTo("urn:agent-tasks:problem:unauthenticated");
        assertThat(send("GET", "/health", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void anotherCallersTaskIsNotFound() throws Exception {
        String id = submit("What is a tenant?");

        HttpResponse<String> bob = send("GET", "/tasks/" + id, "bob-token", null);

        assertThat(bob.statusCode()).isEqualTo(404);
        assertThat(json(bob).get("type").asText()).isEqualTo("urn:agent-tasks:problem:task-not-found");
        assertThat(send("GET", "/tasks/" + id, "alice-token", null).statusCode()).isEqualTo(200);
    }

    @Test
    void concurrentSubmissionsWithOneKeyMakeOneTask() throws Exception {
        String body = "{\"task\":\"Summarise the design of a lease.\"}";
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            responses.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "/tasks"))
                    .header("Authorization", "Bearer alice-token")
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", "\"order-42\"")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        int created = 0;
        for (var future : responses) {
            HttpResponse<String> response = future.get();
            assertThat(response.statusCode()).isIn(200, 202);
            created += response.statusCode() == 202 ? 1 : 0;
            ids.add(json(response).get("task_id").asText());
        }
        assertThat(ids).hasSize(1);
        assertThat(created).isEqualTo(1);

        HttpResponse<String> reused = send("POST", "/tasks", "alice-token", "{\"task\":\"another body\",\"idempotency_key\":\"order-42\"}");
        HttpResponse<String> otherCaller = send("POST", "/tasks", "bob-token", body.replace("}", ",\"idempotency_key\":\"order-42\"}"));
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(json(reused).get("type").asText()).isEqualTo("urn:agent-tasks:problem:idempotency-key-reused");
        assertThat(otherCaller.statusCode()).isEqualTo(202);
        assertThat(json(otherCaller).get("task_id").asText()).isNotIn(ids);
        String id = ids.iterator().next();
        String bobsId = json(otherCaller).get("task_id").asText();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                "complete".equals(json(send("GET", "/tasks/" + id, "alice-token", null)).get("status").asText())
                        && "complete".equals(json(send("GET", "/tasks/" + bobsId, "bob-token", null)).get("status").asText()));
        // One call for alice's 24 submissions, one for bob's own task with the same text.
        provider.verify(2, postRequestedFor(urlEqualTo("/openai/v1/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("Summarise the design of a lease.")));
    }

    @Test
    void malformedRequestsGetTheRightProblemAndTheServiceKeepsWorking() throws Exception {
        record Case(String method, String path, String contentType, byte[] body, int status, String type) {
        }
        byte[] tooLarge = ("{\"task\":\"" + "x".repeat(300 * 1024) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] longTask = ("{\"task\":\"" + "y".repeat(32_001) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Case> cases = List.of(
                new Case("POST", "/tasks", "application/json", "{\"task\":".getBytes(), 400, "malformed-request"),
                new Case("POST", "/tasks", "application/json", "[\"task\"]".getBytes(), 400, "malformed-request"),
                new Case("POST", "/tasks", "application/json", "{\"task\":\"a\",\"task\":\"b\"}".getBytes(), 400, "malformed-request"),
                new Case("POST", "/tasks", "application/json", new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'}, 400, "malformed-request"),
                new Case("POST", "/tasks", "application/json", new byte[0], 400, "malformed-request"),
                new Case("POST", "/tasks", "text/plain", "{\"task\":\"x\"}".getBytes(), 415, "unsupported-media-type"),
                new Case("POST", "/tasks", null, "{\"task\":\"x\"}".getBytes(), 415, "unsupported-media-type"),
                new Case("POST", "/tasks", "application/json", tooLarge, 413, "payload-too-large"),
                new Case("POST", "/tasks", "application/json", longTask, 413, "payload-too-large"),
                new Case("POST", "/tasks", "application/json", "{\"task\":\"  \"}".getBytes(), 422, "validation-failed"),
                new Case("POST", "/tasks", "application/json", "{\"task\":42}".getBytes(), 422, "validation-failed"),
                new Case("POST", "/tasks", "application/json", "{\"task\":\"x\",\"max_tokens\":0}".getBytes(), 422, "validation-failed"),
                new Case("POST", "/tasks", "application/json", "{\"task\":\"x\",\"user_id\":\"mallory\"}".getBytes(), 422, "validation-failed"),
                new Case("POST", "/tasks", "application/json", "{\"task\":\"lone \\ud800 surrogate\"}".getBytes(), 422, "validation-failed"),
                new Case("POST", "/tasks", "application/json", "{\"task\":\"x\",\"idempotency_key\":\"\"}".getBytes(), 400, "invalid-idempotency-key"),
                new Case("GET", "/tasks/not-an-id", null, null, 404, "task-not-found"),
                new Case("GET", "/tasks/aaaaaaaaaaaaaaaaaaaaaaaaaa", null, null, 404, "task-not-found"),
                new Case("GET", "/nothing/here", null, null, 404, "not-found"),
                new Case("DELETE", "/tasks", null, null, 405, "method-not-allowed"),
                new Case("PUT", "/tasks/aaaaaaaaaaaaaaaaaaaaaaaaaa", "application/json", "{}".getBytes(), 405, "method-not-allowed"));
        for (Case c : cases) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + c.path()))
                    .header("Authorization", "Bearer alice-token")
                    .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(c.body()));
            if (c.contentType() != null) {
                request.header("Content-Type", c.contentType());
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String what = c.method() + " " + c.path() + " " + c.contentType() + " -> " + response.body();
            assertThat(response.statusCode()).as(what).isEqualTo(c.status());
            assertThat(response.headers().firstValue("Content-Type")).as(what).hasValue("application/problem+json");
            JsonNode problem = json(response);
            assertThat(problem.get("type").asText()).as(what).isEqualTo("urn:agent-tasks:problem:" + c.type());
            assertThat(problem.get("status").asInt()).as(what).isEqualTo(c.status());
            assertThat(response.body()).as(what).doesNotContain("Exception", "dev.agenttasks", "java.");
        }
        HttpResponse<String> idempotent = send("POST", "/tasks", "alice-token", "{\"task\":\"x\"}");
        HttpResponse<String> badKey = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/tasks"))
                .header("Authorization", "Bearer alice-token").header("Content-Type", "application/json")
                .header("Idempotency-Key", "x".repeat(256))
                .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(badKey.statusCode()).isEqualTo(400);
        assertThat(json(badKey).get("type").asText()).isEqualTo("urn:agent-tasks:problem:invalid-idempotency-key");

        String id = submit("What is resilience?");
        assertThat(idempotent.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                "complete".equals(json(send("GET", "/tasks/" + id, "alice-token", null)).get("status").asText()));
    }
}
