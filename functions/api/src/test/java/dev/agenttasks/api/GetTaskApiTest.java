package dev.agenttasks.api;

import static dev.agenttasks.api.ApiHarness.getTask;
import static dev.agenttasks.api.ApiHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;

/** {@code GET /tasks/{id}} and {@code GET /health} over in-memory ports. */
class GetTaskApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiHarness api = new ApiHarness();

    @Test
    void theOwnerSeesExactlyTheDocumentedFields() throws Exception {
        String id = api.submit(post("alice", "{\"task\":\"t\",\"max_tokens\":5}")).headers().get("Location").substring(7);

        HttpResponse response = api.get(getTask("alice", id));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers()).containsEntry("Content-Type", "application/json");
        JsonNode view = JSON.readTree(response.body());
        assertThat(view.fieldNames()).toIterable().containsExactly("task_id", "status", "result", "error", "model",
                "usage", "cost_usd", "max_total_tokens", "routing", "duration_ms", "attempts", "created_at", "updated_at");
        assertThat(view.get("routing").get("tier").asText()).isEqualTo("standard");
        assertThat(view.get("task_id").asText()).isEqualTo(id);
        assertThat(view.get("created_at").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(response.body()).doesNotContain("alice", "\"t\"", "lease", "owner");
    }

    @Test
    void anotherCallersTaskAnUnknownIdAndAnExpiredTaskAnswerTheSame404() throws Exception {
        String id = api.submit(post("alice", "{\"task\":\"t\"}")).headers().get("Location").substring(7);
        Task expired = Task.pending(TaskIds.newId(), "alice", "old", null, api.clock.instant().minusSeconds(10),
                api.clock.instant());
        api.tasks.put(expired);

        List<HttpResponse> answers = List.of(api.get(getTask("bob", id)), api.get(getTask("alice", TaskIds.newId())),
                api.get(getTask("alice", expired.id())), api.get(getTask("alice", id.toUpperCase())));

        for (HttpResponse answer : answers) {
            assertThat(answer.status()).isEqualTo(404);
            JsonNode problem = JSON.readTree(answer.body());
            assertThat(problem.get("type").asText()).isEqualTo("urn:agent-tasks:problem:task-not-found");
            assertThat(problem.get("detail").asText()).isEqualTo("no task with this id belongs to you");
        }
    }

    @Test
    void noCallerIs401EvenForAnUnknownId() throws Exception {
        HttpResponse response = api.get(getTask(null, "nope"));

        assertThat(response.status()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).get("type").asText())
                .isEqualTo("urn:agent-tasks:problem:unauthenticated");
    }

    @Test
    void healthIsOk() {
        HttpResponse response = api.health();

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"ok\"}");
    }
}
