package dev.agenttasks.api;

import static dev.agenttasks.api.ApiHarness.getTask;
import static dev.agenttasks.api.ApiHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agenttasks.domain.task.TokenUsage;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskOutcome;

/**
 * Drives the API through representative requests and checks every response against docs/openapi.yaml
 * (status documented, required headers, body schema) with {@code validate_responses.py}.
 */
class ApiResponsesMatchSpecIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = "iam:arn:aws:iam::123456789012:user/alice";
    private static final String BOB = "jwt:https://issuer.example|bob";

    private record Case(String name, String method, String path, HttpResponse response) {
    }

    private final List<Case> cases = new ArrayList<>();
    private final ApiHarness api = new ApiHarness();

    @Test
    void everyResponseMatchesTheSpec(@TempDir Path dir) throws IOException {
        submitCases();
        getCases();
        callerApiCases();
        dependencyFailureCases();
        cases.add(new Case("health", "GET", "/health", api.health()));

        for (Case c : cases) {
            String contentType = c.response().headers().get("Content-Type");
            if (c.response().status() == 304) {
                assertThat(c.response().body()).as(c.name()).isEmpty();
            } else if (c.response().status() < 300) {
                assertThat(contentType).as(c.name()).isEqualTo("application/json");
            } else {
                assertThat(contentType).as(c.name()).isEqualTo("application/problem+json");
                JsonNode problem = JSON.readTree(c.response().body());
                assertThat(problem.path("status").asInt()).as(c.name()).isEqualTo(c.response().status());
                assertThat(problem.path("instance").asText()).as(c.name()).startsWith("/");
            }
        }
        assertThat(cases).extracting(c -> c.response().status())
                .contains(200, 202, 400, 401, 404, 413, 415, 422, 500, 503);

        Path file = dir.resolve("responses.json");
        List<Map<String, Object>> recorded = new ArrayList<>();
        for (Case c : cases) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", c.name());
            entry.put("method", c.method());
            entry.put("path", c.path());
            entry.put("status", c.response().status());
            entry.put("headers", c.response().headers());
            entry.put("body", c.response().body());
            recorded.add(entry);
        }
        JSON.writeValue(file.toFile(), recorded);
        Path script = dir.resolve("validate_responses.py");
        try (var in = getClass().getResourceAsStream("/http/validate_responses.py")) {
            assertThat(in).as("test resource http/validate_responses.py").isNotNull();
            Files.copy(in, script);
        }

        ProjectFiles.Outcome outcome = ProjectFiles.run(ProjectFiles.python().script(script,
                ProjectFiles.openApiSpec().toString(), file.toString()));

        assertThat(outcome.exitCode())
                .as("responses that do not match docs/openapi.yaml:%n%s", outcome.output())
                .isZero();
        assertThat(outcome.output()).contains(cases.size() + " responses checked, 0 failures");
    }

    @Test
    void theValidatorRejectsAResponseThatBreaksTheSpec(@TempDir Path dir) throws IOException {
        HttpResponse wrong = HttpResponse.json(202, "{\"task_id\":\"not-an-id\",\"status\":\"complete\"}");
        HttpResponse undocumented = HttpResponse.json(418, "{}");
        Path file = dir.resolve("responses.json");
        JSON.writeValue(file.toFile(), List.of(
                Map.of("name", "wrong", "method", "POST", "path", "/tasks", "status", 202,
                        "headers", wrong.headers(), "body", wrong.body()),
                Map.of("name", "undocumented", "method", "POST", "path", "/tasks", "status", 418,
                        "headers", undocumented.headers(), "body", undocumented.body())));
        Path script = dir.resolve("validate_responses.py");
        try (var in = getClass().getResourceAsStream("/http/validate_responses.py")) {
            Files.copy(in, script);
        }

        ProjectFiles.Outcome outcome = ProjectFiles.run(ProjectFiles.python().script(script,
                ProjectFiles.openApiSpec().toString(), file.toString()));

        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(1);
        assertThat(outcome.output())
                .contains("wrong: required header Location missing")
                .contains("wrong: body at /task_id")
                .contains("wrong: body at /status")
                .contains("undocumented: status 418 is not documented");
    }

    private void submitCases() {
        String body = "{\"task\":\"Summarise RFC 9457.\"}";
        HttpResponse accepted = record("submit 202", api.submit(post(ALICE, body)));
        assertThat(accepted.status()).isEqualTo(202);

        record("submit 202 with options", api.submit(post(ALICE,
                "{\"task\":\"Translate.\",\"max_tokens\":8192,\"idempotency_key\":null}",
                "Content-Type", "application/json; charset=UTF-8")));
        record("submit 202 +json media type", api.submit(post(ALICE, body, "Content-Type", "application/vnd.x+json")));
        HttpResponse first = record("submit 202 keyed", api.submit(post(ALICE, body, "Idempotency-Key", "\"k-1\"")));
        HttpResponse replay = record("submit 200 replay", api.submit(post(ALICE, body, "Idempotency-Key", "k-1")));
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.headers()).containsEntry("Idempotent-Replayed", "true")
                .containsEntry("Location", first.headers().get("Location"));
        record("submit 422 key reused", api.submit(post(ALICE, "{\"task\":\"Something else.\"}",
                "Idempotency-Key", "k-1")));

        HttpResponse bodyKeyed = record("submit 202 body key", api.submit(post(ALICE,
                "{\"task\":\"t\",\"idempotency_key\":\"k-2\"}")));
        String id = bodyKeyed.headers().get("Location").substring("/tasks/".length());
        api.tasks.claim(id, "worker-1", api.clock.instant(), Duration.ofMinutes(4));
        api.tasks.complete(id, "worker-1", new TaskOutcome("llama-3.1-8b-instant", "done",
                new TokenUsage(12, 34), new BigDecimal("0.0000001"), 1234), api.clock.instant());
        HttpResponse completedReplay = record("submit 200 replay of a complete task", api.submit(post(ALICE,
                "{\"task\":\"t\",\"idempotency_key\":\"k-2\"}")));
        assertThat(completedReplay.body()).contains("\"status\":\"complete\"", "\"result\":\"done\"");

        record("submit 401 no caller", api.submit(post(null, body)));
        record("submit 415 no content type", api.submit(post(ALICE, body, "Content-Type", null)));
        record("submit 415 text/plain", api.submit(post(ALICE, body, "Content-Type", "text/plain")));
        record("submit 415 latin-1", api.submit(post(ALICE, body, "Content-Type", "application/json; charset=ISO-8859-1")));
        record("submit 413 body", api.submit(post(ALICE, "{\"task\":\"" + "x".repeat(SubmitTaskApi.DEFAULT_MAX_BODY_BYTES) + "\"}")));
        record("submit 413 task", api.submit(post(ALICE, "{\"task\":\"" + "x".repeat(SubmitTaskApi.DEFAULT_MAX_TASK_CHARS + 1) + "\"}")));
        record("submit 400 empty", api.submit(post(ALICE, "")));
        record("submit 400 null body", api.submit(post(ALICE, null)));
        record("submit 400 not json", api.submit(post(ALICE, "task=hello")));
        record("submit 400 truncated", api.submit(post(ALICE, "{\"task\":")));
        record("submit 400 array", api.submit(post(ALICE, "[{\"task\":\"t\"}]")));
        record("submit 400 duplicate member", api.submit(post(ALICE, "{\"task\":\"a\",\"task\":\"b\"}")));
        record("submit 400 trailing content", api.submit(post(ALICE, "{\"task\":\"a\"} {}")));
        record("submit 400 key too long", api.submit(post(ALICE, body, "Idempotency-Key", "k".repeat(256))));
        record("submit 400 key not ascii", api.submit(post(ALICE, body, "Idempotency-Key", "clé")));
        record("submit 400 key empty quoted", api.submit(post(ALICE, body, "Idempotency-Key", "\"\"")));
        record("submit 400 body key control char", api.submit(post(ALICE, "{\"task\":\"t\",\"idempotency_key\":\"a\\u0001\"}")));
        record("submit 422 missing task", api.submit(post(ALICE, "{}")));
        record("submit 422 task not a string", api.submit(post(ALICE, "{\"task\":42}")));
        record("submit 422 blank task", api.submit(post(ALICE, "{\"task\":\" \\n\\t\"}")));
        HttpResponse many = record("submit 422 several fields", api.submit(post(ALICE,
                "{\"task\":[],\"max_tokens\":5.0,\"idempotency_key\":7,\"model\":\"x\",\"a/b~c\":1}")));
        assertThat(many.body()).contains("\"/task\"", "\"/max_tokens\"", "\"/idempotency_key\"", "\"/model\"",
                "\"/a~1b~0c\"");
        record("submit 422 max_tokens 0", api.submit(post(ALICE, "{\"task\":\"t\",\"max_tokens\":0}")));
        record("submit 422 max_tokens too big", api.submit(post(ALICE, "{\"task\":\"t\",\"max_tokens\":8193}")));
        record("submit 422 max_tokens string", api.submit(post(ALICE, "{\"task\":\"t\",\"max_tokens\":\"5\"}")));
        record("submit 422 max_tokens huge", api.submit(post(ALICE, "{\"task\":\"t\",\"max_tokens\":99999999999999999999}")));
    }

    private void getCases() {
        String pending = api.submit(post(ALICE, "{\"task\":\"p\"}")).headers().get("Location").substring(7);
        record("get 200 pending", api.get(getTask(ALICE, pending)));

        String running = api.submit(post(ALICE, "{\"task\":\"r\"}")).headers().get("Location").substring(7);
        api.tasks.claim(running, "w", api.clock.instant(), Duration.ofMinutes(4));
        record("get 200 running", api.get(getTask(ALICE, running)));

        String failed = api.submit(post(ALICE, "{\"task\":\"f\"}")).headers().get("Location").substring(7);
        api.tasks.claim(failed, "w", api.clock.instant(), Duration.ofMinutes(4));
        api.tasks.fail(failed, "w", new TaskError("attempts_exhausted", "the provider failed 5 times"), 9_000L,
                api.clock.instant());
        HttpResponse failedView = record("get 200 failed", api.get(getTask(ALICE, failed)));
        assertThat(failedView.body()).contains("\"code\":\"attempts_exhausted\"");

        String complete = api.submit(post(ALICE, "{\"task\":\"c\"}")).headers().get("Location").substring(7);
        api.tasks.claim(complete, "w", api.clock.instant(), Duration.ofMinutes(4));
        api.tasks.complete(complete, "w", new TaskOutcome("m", "42", new TokenUsage(1, 2), null, 5),
                api.clock.instant());
        HttpResponse completeView = record("get 200 complete unpriced", api.get(getTask(ALICE, complete)));
        assertThat(completeView.body()).contains("\"cost_usd\":null", "\"total_tokens\":3");

        record("get 404 other caller", api.get(getTask(BOB, pending)));
        record("get 404 unknown", api.get(getTask(ALICE, TaskIds.newId())));
        record("get 404 malformed id", api.get(getTask(ALICE, "../etc/passwd")));
        record("get 404 no id", api.get(getTask(ALICE, null)));
        record("get 401 no caller", api.get(getTask(null, pending)));

        Task expired = Task.pending(TaskIds.newId(), ALICE, "old", null, api.clock.instant().minusSeconds(100),
                api.clock.instant().minusSeconds(1));
        api.tasks.put(expired);
        record("get 404 expired", api.get(getTask(ALICE, expired.id())));
    }

    private void callerApiCases() {
        String first = api.submit(post(ALICE, "{\"task\":\"one\"}")).headers().get("Location").substring(7);
        api.clock.advance(Duration.ofSeconds(1));
        api.submit(post(ALICE, "{\"task\":\"two\"}"));
        HttpResponse page = record("list 200", "GET", "/tasks", api.list(ApiHarness.listRequest(ALICE, "limit", "1")));
        String cursor = page.body().replaceAll(".*\"next_cursor\":\"([^\"]+)\".*", "$1");
        record("list 200 last page", "GET", "/tasks", api.list(ApiHarness.listRequest(ALICE, "limit", "100", "status", "pending")));
        record("list 200 next page", "GET", "/tasks", api.list(ApiHarness.listRequest(ALICE, "limit", "1", "cursor", cursor)));
        record("list 400 foreign cursor", "GET", "/tasks", api.list(ApiHarness.listRequest(BOB, "cursor", cursor)));
        record("list 400 bad limit", "GET", "/tasks", api.list(ApiHarness.listRequest(ALICE, "limit", "0")));
        record("list 401 no caller", "GET", "/tasks", api.list(ApiHarness.listRequest(null)));

        HttpResponse pending = api.get(getTask(ALICE, first));
        record("get 304 unchanged", "GET", "/tasks/{id}",
                api.get(ApiHarness.getTask(ALICE, first, "If-None-Match", pending.headers().get("ETag"))));
        record("get 200 waited", "GET", "/tasks/{id}", api.get(ApiHarness.getTask(ALICE, first, "Prefer", "wait=1")));
        record("get 400 bad preference", "GET", "/tasks/{id}", api.get(ApiHarness.getTask(ALICE, first, "Prefer", "wait=-1")));
        record("submit 202 waited", "POST", "/tasks", api.submit(post(ALICE, "{\"task\":\"w\"}", "Prefer", "wait=1")));

        String running = api.submit(post(ALICE, "{\"task\":\"r\"}")).headers().get("Location").substring(7);
        api.tasks.claim(running, "w", api.clock.instant(), Duration.ofMinutes(4));
        record("cancel 202 running", "POST", "/tasks/{id}/cancel", api.cancel(ApiHarness.cancelRequest(ALICE, running)));
        record("cancel 200 pending", "POST", "/tasks/{id}/cancel", api.cancel(ApiHarness.cancelRequest(ALICE, first)));
        record("cancel 200 again", "POST", "/tasks/{id}/cancel", api.cancel(ApiHarness.cancelRequest(ALICE, first)));
        String done = api.submit(post(ALICE, "{\"task\":\"d\"}")).headers().get("Location").substring(7);
        api.tasks.claim(done, "w", api.clock.instant(), Duration.ofMinutes(4));
        api.tasks.complete(done, "w", new TaskOutcome("m", "42", new TokenUsage(1, 2), null, 5), api.clock.instant());
        record("cancel 409 complete", "POST", "/tasks/{id}/cancel", api.cancel(ApiHarness.cancelRequest(ALICE, done)));
        record("cancel 404 other caller", "POST", "/tasks/{id}/cancel", api.cancel(ApiHarness.cancelRequest(BOB, done)));

        String hooked = api.submit(post(ALICE, "{\"task\":\"h\",\"callback_url\":\"http://127.0.0.1:9/hooks\"}"))
                .headers().get("Location").substring(7);
        record("get 200 with a callback", "GET", "/tasks/{id}", api.get(getTask(ALICE, hooked)));
        record("cancel 200 with a callback owed", "POST", "/tasks/{id}/cancel", api.cancel(ApiHarness.cancelRequest(ALICE, hooked)));
        HttpRequest secret = new HttpRequest("GET", "/webhook-secret", java.util.Map.of(), java.util.Map.of(), null,
                java.util.Optional.of(ALICE), "req-s");
        record("webhook secret 200", "GET", "/webhook-secret", api.webhookSecret(secret));
        HttpRequest anonymous = new HttpRequest("GET", "/webhook-secret", java.util.Map.of(), java.util.Map.of(), null,
                java.util.Optional.empty(), "req-s");
        record("webhook secret 401", "GET", "/webhook-secret", api.webhookSecret(anonymous));
    }

    private void dependencyFailureCases() {
        TaskRepository down = failing(new DependencyUnavailableException("throttled", null));
        ApiHarness unavailable = new ApiHarness(down, null, null);
        HttpResponse submit503 = record("submit 503", unavailable.submit(post(ALICE, "{\"task\":\"t\"}")));
        assertThat(submit503.headers()).containsEntry("Retry-After", "1");
        record("get 503", unavailable.get(getTask(ALICE, TaskIds.newId())));

        ApiHarness broken = new ApiHarness(failing(new IllegalStateException("bug")), null, null);
        HttpResponse submit500 = record("submit 500", broken.submit(post(ALICE, "{\"task\":\"t\"}")));
        assertThat(submit500.body()).doesNotContain("IllegalState", "bug");
        record("get 500", broken.get(getTask(ALICE, TaskIds.newId())));
    }

    private static TaskRepository failing(RuntimeException failure) {
        return (TaskRepository) Proxy.newProxyInstance(TaskRepository.class.getClassLoader(),
                new Class<?>[] {TaskRepository.class}, (proxy, method, args) -> {
                    throw failure;
                });
    }

    private HttpResponse record(String name, String method, String path, HttpResponse response) {
        cases.add(new Case(name, method, path, response));
        return response;
    }

    private HttpResponse record(String name, HttpResponse response) {
        String path = name.startsWith("submit") ? "/tasks" : "/tasks/{id}";
        cases.add(new Case(name, name.startsWith("submit") ? "POST" : "GET", path, response));
        return response;
    }
}
