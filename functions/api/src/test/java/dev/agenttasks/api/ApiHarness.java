package dev.agenttasks.api;

import dev.agenttasks.domain.fakes.InMemoryIdempotencyStore;
import dev.agenttasks.domain.fakes.InMemoryTaskQueue;
import dev.agenttasks.domain.fakes.InMemoryTaskStore;
import dev.agenttasks.domain.fakes.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.domain.port.TaskQueue;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.submit.SubmitTaskService;

/**
 * The two API operations over in-memory ports, each wrapped in {@link ApiErrors#guard} the way the Lambda
 * handlers wrap them, with the default limits and a clock the test drives.
 */
final class ApiHarness {

    static final Duration KEY_TTL = Duration.ofSeconds(86_400);
    static final Duration RETENTION = Duration.ofDays(7);

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final InMemoryTaskStore tasks = new InMemoryTaskStore();
    final InMemoryIdempotencyStore keys = new InMemoryIdempotencyStore();
    final InMemoryTaskQueue queue = new InMemoryTaskQueue();
    /** The webhook messages cancels sent. */
    final InMemoryTaskQueue webhooks = new InMemoryTaskQueue();
    final dev.agenttasks.domain.callback.WebhookSigner signer =
            new dev.agenttasks.domain.callback.WebhookSigner("a test webhook key of at least 32 chars");
    private final WebhookSecretApi secretApi = new WebhookSecretApi(signer);
    private final SubmitTaskApi submitApi;
    private final GetTaskApi getApi;
    private final ListTasksApi listApi;
    private final CancelTaskApi cancelApi;
    /** Every pause a waiting request made (the test's clock moves by it). */
    final java.util.List<Duration> waits = new java.util.ArrayList<>();
    /** Runs at each pause of a waiting request: a test's stand-in for a worker making progress meanwhile. */
    Runnable whileWaiting = () -> { };

    ApiHarness() {
        this(null, null, null);
    }

    /** With replacements for any port (null keeps the in-memory one). */
    ApiHarness(TaskRepository taskRepository, IdempotencyStore keyStore, TaskQueue taskQueue) {
        TaskRepository repo = taskRepository == null ? tasks : taskRepository;
        SubmitTaskService service = new SubmitTaskService(repo, keyStore == null ? keys : keyStore,
                taskQueue == null ? queue : taskQueue, clock, KEY_TTL, RETENTION);
        TaskWaiter waiter = new TaskWaiter(repo, clock, pause -> {
            waits.add(pause);
            clock.advance(pause);
            whileWaiting.run();
        });
        this.getApi = new GetTaskApi(repo, clock, waiter);
        this.submitApi = new SubmitTaskApi(service, dev.agenttasks.domain.routing.RequestPlanner.ofDefaults(),
                CallbackUrls.forLocalStack(), getApi, waiter, SubmitTaskApi.DEFAULT_MAX_BODY_BYTES,
                SubmitTaskApi.DEFAULT_MAX_TASK_CHARS);
        this.listApi = new ListTasksApi(repo, "a test key of at least 32 bytes!".getBytes(java.nio.charset.StandardCharsets.UTF_8), clock);
        this.cancelApi = new CancelTaskApi(repo, getApi, clock,
                new dev.agenttasks.domain.callback.CallbackNotifier(repo, Optional.of(webhooks), clock));
    }

    HttpResponse submit(HttpRequest request) {
        return ApiErrors.guard(request, submitApi::handle);
    }

    HttpResponse get(HttpRequest request) {
        return ApiErrors.guard(request, getApi::handle);
    }

    HttpResponse list(HttpRequest request) {
        return ApiErrors.guard(request, listApi::handle);
    }

    HttpResponse cancel(HttpRequest request) {
        return ApiErrors.guard(request, cancelApi::handle);
    }

    HttpResponse webhookSecret(HttpRequest request) {
        return ApiErrors.guard(request, secretApi::handle);
    }

    HttpResponse health() {
        HttpRequest request = new HttpRequest("GET", "/health", Map.of(), Map.of(), null, Optional.empty(), "req-h");
        return ApiErrors.guard(request, r -> getApi.health());
    }

    /** {@code POST /tasks} as {@code caller} (null: unauthenticated) with a JSON body. */
    static HttpRequest post(String caller, String body, String... headerPairs) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        for (int i = 0; i < headerPairs.length; i += 2) {
            if (headerPairs[i + 1] == null) {
                headers.remove(headerPairs[i]);
            } else {
                headers.put(headerPairs[i], headerPairs[i + 1]);
            }
        }
        return new HttpRequest("POST", "/tasks", headers, Map.of(), body, Optional.ofNullable(caller), "req-1");
    }

    /** {@code GET /tasks/{id}} as {@code caller} (null: unauthenticated). */
    static HttpRequest getTask(String caller, String id) {
        Map<String, String> params = id == null ? Map.of() : Map.of("id", id);
        return new HttpRequest("GET", "/tasks/" + (id == null ? "" : id), Map.of(), params, null,
                Optional.ofNullable(caller), "req-2");
    }

    /** {@code GET /tasks/{id}} with headers (name, value pairs). */
    static HttpRequest getTask(String caller, String id, String... headerPairs) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], headerPairs[i + 1]);
        }
        return new HttpRequest("GET", "/tasks/" + id, headers, Map.of("id", id), null, Optional.ofNullable(caller), "req-2");
    }

    /** {@code GET /tasks} with query parameters (name, value pairs). */
    static HttpRequest listRequest(String caller, String... queryPairs) {
        Map<String, String> query = new LinkedHashMap<>();
        for (int i = 0; i < queryPairs.length; i += 2) {
            query.put(queryPairs[i], queryPairs[i + 1]);
        }
        return new HttpRequest("GET", "/tasks", Map.of(), Map.of(), query, null, Optional.ofNullable(caller), "req-3");
    }

    /** {@code POST /tasks/{id}/cancel}. */
    static HttpRequest cancelRequest(String caller, String id) {
        return new HttpRequest("POST", "/tasks/" + id + "/cancel", Map.of(), Map.of("id", id), null,
                Optional.ofNullable(caller), "req-4");
    }
}
