package dev.agenttasks.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.agenttasks.localaws.LocalAws;
import dev.agenttasks.localaws.SharedMotoServer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * kill -9 of the whole local stack while 20 tasks are running, with moto surviving; a restart
 * completes every task, each with one result and at most two provider calls.
 */
class CrashRecoveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764300000,"
            + "\"model\":\"llama-3.3-70b-versatile\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"done\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,"
            + "\"total_tokens\":15}}";
    private WireMockServer provider;
    private final List<Process> stacks = new ArrayList<>();

    @BeforeEach
    void setUp() {
        SharedMotoServer.get().reset();
        // Delayed answers must not hold the stand-in's threads, or the restarted stack's calls would queue.
        provider = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(100).asynchronousResponseEnabled(true).asynchronousResponseThreads(20));
        provider.start();
    }

    @AfterEach
    void tearDown() {
        stacks.forEach(Process::destroyForcibly);
        provider.stop();
    }

    @Test
    void everyTaskCompletesAfterAKillAndARestart() throws Exception {
        provider.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(COMPLETION).withFixedDelay(120_000)));
        int port = StackProcess.freePort();
        StackProcess firstStack = startStack(port);
        Process first = firstStack.process;
        String base = "http://127.0.0.1:" + port;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(submit(base, "Explain crash recovery, variant " + i + ", with a worked example of leases."));
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                ids.stream().allMatch(id -> "running".equals(status(base, id))));

        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        provider.resetMappings();
        provider.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(COMPLETION)));
        StackProcess second = startStack(port);

        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                    ids.stream().allMatch(id -> "complete".equals(status(base, id))));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not every task completed within 120 s of the restart: " + unfinished(base, ids)
                    + "\nqueues: " + queueDepths() + "\nthe killed stack's log ends with:\n" + tail(firstStack.log, 30)
                    + "\nthe restarted stack's log ends with:\n" + tail(second.log, 30), e);
        }
        Map<String, Integer> callsPerTask = new HashMap<>();
        for (LoggedRequest request : provider.findAll(com.github.tomakehurst.wiremock.client.WireMock
                .postRequestedFor(urlEqualTo("/v1/chat/completions")))) {
            String task = JSON.readTree(request.getBodyAsString()).get("messages").get(1).get("content").asText();
            callsPerTask.merge(task, 1, Integer::sum);
        }
        assertThat(callsPerTask).hasSize(20);
        assertThat(callsPerTask.values()).allSatisfy(calls -> assertThat(calls).isBetween(1, 2));
        for (String id : ids) {
            JsonNode task = task(base, id);
            assertThat(task.get("result").asText()).isEqualTo("done");
            assertThat(task.get("error").isNull()).isTrue();
        }
    }

    private StackProcess startStack(int port) throws IOException {
        StackProcess stack = StackProcess.start(port, Map.of(
                "AWS_ENDPOINT_URL", SharedMotoServer.get().endpoint().toString(),
                "LLM_PROVIDER", "openai",
                "LLM_BASE_URL", provider.baseUrl() + "/v1",
                "LLM_API_KEY", "test-key",
                "LLM_TIMEOUT_MS", "100000",
                "TASK_LEASE_SECONDS", "10",
                "LOCAL_SCHEDULE_INTERVAL_SECONDS", "5"));
        stacks.add(stack.process);
        return stack.awaitHealthy();
    }

    /** Each unfinished task's status, attempts and error, for a failure message. */
    private static String unfinished(String base, List<String> ids) {
        StringBuilder out = new StringBuilder();
        for (String id : ids) {
            try {
                JsonNode task = task(base, id);
                if (!"complete".equals(task.path("status").asText())) {
                    out.append("\n").append(id).append(": ").append(storedItems(id));
                }
            } catch (Exception e) {
                out.append(id).append(" unreadable (").append(e).append("); ");
            }
        }
        return out.length() == 0 ? "all complete by now" : out.toString();
    }

    /** The stored items naming the task, as DynamoDB holds them (lease, due time, attempts). */
    private static String storedItems(String id) {
        try (DynamoDbClient dynamoDb = LocalAws.dynamoDb(SharedMotoServer.get().endpoint())) {
            StringBuilder out = new StringBuilder();
            for (String table : dynamoDb.listTables().tableNames()) {
                dynamoDb.scanPaginator(b -> b.tableName(table)).items().stream()
                        .filter(item -> item.toString().contains(id))
                        .forEach(item -> out.append(table).append(' ').append(item).append(' '));
            }
            return out.toString();
        }
    }

    /** Each queue's visible and in-flight message counts. */
    private static String queueDepths() {
        try (SqsClient sqs = LocalAws.sqs(SharedMotoServer.get().endpoint())) {
            StringBuilder out = new StringBuilder();
            for (String url : sqs.listQueues().queueUrls()) {
                out.append(url.substring(url.lastIndexOf('/') + 1)).append(' ').append(sqs.getQueueAttributes(b -> b
                        .queueUrl(url).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributesAsStrings())
                        .append("; ");
            }
            return out.toString();
        }
    }

    /** The log's last lines, without the EMF metric lines. */
    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log).stream().filter(line -> !line.startsWith("{\"_aws\"")).toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static String submit(String base, String task) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("task", task)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
        return JSON.readTree(response.body()).get("task_id").asText();
    }

    private static String status(String base, String id) {
        try {
            return task(base, id).get("status").asText();
        } catch (Exception e) {
            return "unreachable";
        }
    }

    private static JsonNode task(String base, String id) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/tasks/" + id))
                        .timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

}
