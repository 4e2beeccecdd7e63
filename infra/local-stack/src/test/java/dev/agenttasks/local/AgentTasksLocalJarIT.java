package dev.agenttasks.local;

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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The local stack contract as a new user meets it: {@code java -jar infra/target/agent-tasks-local.jar}
 * starts its own moto, answers /health once ready, runs a task, and on SIGTERM stops everything it started.
 */
class AgentTasksLocalJarIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private Process stack;
    private Path log;

    @AfterEach
    void stopStack() {
        if (stack != null && stack.isAlive()) {
            stack.destroyForcibly();
        }
    }

    @Test
    void runsATaskAndStopsEverythingOnSigterm() throws Exception {
        assertThat(Path.of("target", "agent-tasks-local.jar")).as("the shaded jar is built in the package phase").exists();
        StackProcess started = StackProcess.start(StackProcess.freePort(), Map.of("LLM_PROVIDER", "simulated"));
        stack = started.process;
        log = started.log;
        String base = started.awaitHealthy().base;
        HttpResponse<String> submitted = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"What is a walking skeleton?\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(submitted.statusCode()).isEqualTo(202);
        String id = JSON.readTree(submitted.body()).get("task_id").asText();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> "complete".equals(task(base, id).get("status").asText()));
        JsonNode done = task(base, id);
        assertThat(done.get("result").asText()).startsWith("[simulated llama-3.1-8b-instant]");
        assertThat(done.get("cost_usd").isNumber()).isTrue();

        long motoPid = motoPid().orElseThrow(() -> new AssertionError("no moto pid in the log " + log));
        assertThat(Files.readAllLines(log)).as("the local stack logs plain lines for people, not Lambda's JSON")
                .filteredOn(line -> line.contains("Agent Tasks local stack ready on"))
                .singleElement().satisfies(line -> assertThat(line)
                        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  AgentTasksLocal - Agent Tasks local stack ready on .*"));
        stack.destroy();
        assertThat(stack.waitFor(60, TimeUnit.SECONDS)).as("the stack exits on SIGTERM").isTrue();
        await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.of(motoPid).map(p -> !p.isAlive()).orElse(true));
    }

    private Optional<Long> motoPid() throws IOException {
        Matcher matcher = Pattern.compile("moto server started on \\S+ \\(pid (\\d+)").matcher(Files.readString(log));
        return matcher.find() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }

    private static JsonNode task(String base, String id) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/tasks/" + id)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }



}
