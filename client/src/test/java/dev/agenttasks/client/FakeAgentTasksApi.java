package dev.agenttasks.client;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server (the JDK's) serving the caller API as docs/api.md describes it: {@code POST /tasks},
 * {@code GET /tasks/{id}}, {@code POST /tasks/{id}/cancel}, {@code GET /tasks} with cursors,
 * {@code Prefer: wait}, {@code ETag}/{@code If-None-Match} and {@code Retry-After} on unfinished tasks. Tasks
 * change only when a test says so ({@link #finish}, {@link #start}). Every request is recorded, and the
 * next answers can be scripted to fail.
 */
public final class FakeAgentTasksApi implements AutoCloseable {

    public static final String PROBLEM = "urn:agent-tasks:problem:";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TASK = Pattern.compile("/tasks/([^/]+)");
    private static final Pattern CANCEL = Pattern.compile("/tasks/([^/]+)/cancel");
    private static final Pattern PREFER_WAIT = Pattern.compile("(?i)(?:^|[;,\\s])wait\\s*=\\s*(\\d+)");

    /** A request as received. */
    public record Recorded(String method, String path, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A scripted answer for the next request. */
    public record Failure(int status, String retryAfter, String contentType, String body) {
        public static Failure problem(int status, String slug, String retryAfter) {
            return new Failure(status, retryAfter, "application/problem+json", "{\"type\":\"" + PROBLEM + slug
                    + "\",\"title\":\"" + slug + "\",\"status\":" + status + ",\"detail\":\"scripted " + slug + "\"}");
        }
    }

    private static final class Task {
        final String id;
        final String owner;
        final String body;
        final Instant createdAt;
        String status = "pending";
        String result;
        String cancelRequestedAt;
        int version = 1;

        Task(String id, String owner, String body, Instant createdAt) {
            this.id = id;
            this.owner = owner;
            this.body = body;
            this.createdAt = createdAt;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, String> keys = new HashMap<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private volatile boolean honourPrefer = true;
    private volatile boolean sendEtags = true;
    private volatile String retryAfterSeconds = "1";
    private int nextId = 1;

    public FakeAgentTasksApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public List<Recorded> requests(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    /** The next {@code count} requests get {@code failure} instead of their answer. */
    public synchronized FakeAgentTasksApi failNext(int count, Failure failure) {
        for (int i = 0; i < count; i++) {
            failures.add(failure);
        }
        return this;
    }

    public FakeAgentTasksApi honourPrefer(boolean value) {
        honourPrefer = value;
        return this;
    }

    public FakeAgentTasksApi sendEtags(boolean value) {
        sendEtags = value;
        return this;
    }

    /** {@code Retry-After} on unfinished tasks; null for none. */
    public FakeAgentTasksApi retryAfter(String seconds) {
        retryAfterSeconds = seconds;
        return this;
    }

    /** The id of the {@code n}th task made (1-based). */
    public static String id(int n) {
        return String.format("t%025d", n);
    }

    /** Adds a task directly (for lists): ids {@code t0001...}, newest last; the owner is the Authorization header. */
    public synchronized String addTask(String owner, String status) {
        Task task = new Task(newId(), owner, "{}", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(nextId));
        task.status = status;
        tasks.put(task.id, task);
        return task.id;
    }

    public synchronized void start(String id) {
        change(id, "running", null);
    }

    public synchronized void finish(String id, String status, String result) {
        change(id, status, result);
    }

    public synchronized String status(String id) {
        return tasks.get(id).status;
    }

    public synchronized int taskCount() {
        return tasks.size();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void change(String id, String status, String result) {
        Task task = tasks.get(id);
        task.status = status;
        task.result = result;
        task.version++;
        notifyAll();
    }

    private String newId() {
        return String.format("t%025d", nextId++);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            URI uri = exchange.getRequestURI();
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Recorded request = new Recorded(method, uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
                    headers, body);
            requests.add(request);
            Failure failure;
            synchronized (this) {
                failure = failures.poll();
            }
            if (failure != null) {
                if (failure.retryAfter() != null) {
                    exchange.getResponseHeaders().set("Retry-After", failure.retryAfter());
                }
                send(exchange, failure.status(), failure.contentType(), failure.body());
                return;
            }
            String owner = headers.getOrDefault("authorization", "anonymous");
            String path = uri.getRawPath();
            Matcher cancel = CANCEL.matcher(path);
            Matcher task = TASK.matcher(path);
            if (path.equals("/tasks") && method.equals("POST")) {
                submit(exchange, request, owner);
            } else if (path.equals("/tasks") && method.equals("GET")) {
                list(exchange, uri.getRawQuery(), owner);
            } else if (cancel.matches() && method.equals("POST")) {
                cancel(exchange, cancel.group(1), owner);
            } else if (task.matches() && method.equals("GET")) {
                get(exchange, request, task.group(1), owner);
            } else {
                problem(exchange, 404, "not-found", "no route for " + method + " " + path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(HttpExchange exchange, Recorded request, String owner) throws IOException, InterruptedException {
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (IOException e) {
            problem(exchange, 400, "malformed-request", "not JSON");
            return;
        }
        if (!body.path("task").isTextual() || body.get("task").asText().isBlank()) {
            problemWithErrors(exchange, List.<String[]>of(new String[] {"/task", "must not be blank"}));
            return;
        }
        String keyHeader = request.header("Idempotency-Key");
        String key = keyHeader == null ? null : owner + " " + keyHeader.strip().replaceAll("^\"|\"$", "");
        Task created;
        int version;
        synchronized (this) {
            if (key != null && keys.containsKey(key)) {
                Task earlier = tasks.get(keys.get(key));
                if (!earlier.body.equals(request.body())) {
                    problem(exchange, 422, "idempotency-key-reused", "the key was used with another body");
                    return;
                }
                exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
                exchange.getResponseHeaders().set("Location", "/tasks/" + earlier.id);
                send(exchange, 200, "application/json", view(earlier).toString());
                return;
            }
            created = new Task(newId(), owner, request.body(), Instant.now());
            version = created.version;
            tasks.put(created.id, created);
            if (key != null) {
                keys.put(key, created.id);
            }
        }
        exchange.getResponseHeaders().set("Location", "/tasks/" + created.id);
        int wait = preferredWait(request);
        if (wait > 0) {
            exchange.getResponseHeaders().set("Preference-Applied", "wait=" + wait);
            awaitChange(created, version, wait);
            if (terminal(created)) {
                send(exchange, 200, "application/json", view(created).toString());
                return;
            }
        }
        send(exchange, 202, "application/json", "{\"task_id\":\"" + created.id + "\",\"status\":\"pending\"}");
    }

    private void get(HttpExchange exchange, Recorded request, String id, String owner) throws IOException, InterruptedException {
        Task task;
        int version;
        synchronized (this) {
            task = tasks.get(id);
            if (task == null || !task.owner.equals(owner)) {
                problem(exchange, 404, "task-not-found", "no task " + id);
                return;
            }
            version = task.version;
        }
        int wait = preferredWait(request);
        if (wait > 0 && !terminal(task)) {
            exchange.getResponseHeaders().set("Preference-Applied", "wait=" + wait);
            awaitChange(task, version, wait);
        }
        String etag;
        String view;
        boolean terminal;
        synchronized (this) {
            etag = "\"v" + task.version + "\"";
            view = view(task).toString();
            terminal = isTerminal(task);
        }
        if (!terminal && retryAfterSeconds != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfterSeconds);
        }
        if (sendEtags) {
            exchange.getResponseHeaders().set("ETag", etag);
            if (etag.equals(request.header("If-None-Match"))) {
                exchange.sendResponseHeaders(304, -1);
                return;
            }
        }
        send(exchange, 200, "application/json", view);
    }

    private void cancel(HttpExchange exchange, String id, String owner) throws IOException {
        synchronized (this) {
            Task task = tasks.get(id);
            if (task == null || !task.owner.equals(owner)) {
                problem(exchange, 404, "task-not-found", "no task " + id);
                return;
            }
            switch (task.status) {
                case "pending" -> change(id, "cancelled", null);
                case "running" -> {
                    if (task.cancelRequestedAt == null) {
                        task.cancelRequestedAt = "2026-01-01T00:00:05Z";
                        task.version++;
                    }
                    send(exchange, 202, "application/json", view(task).toString());
                    return;
                }
                case "cancelled" -> {
                }
                default -> {
                    problem(exchange, 409, "task-not-cancellable", "task " + id + " is " + task.status);
                    return;
                }
            }
            send(exchange, 200, "application/json", view(task).toString());
        }
    }

    private void list(HttpExchange exchange, String query, String owner) throws IOException {
        Map<String, String> parameters = new HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] parts = pair.split("=", 2);
                parameters.put(parts[0], parts.length > 1 ? java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
            }
        }
        int limit;
        int start;
        try {
            limit = Integer.parseInt(parameters.getOrDefault("limit", "20"));
            start = parameters.containsKey("cursor")
                    ? Integer.parseInt(new String(Base64.getUrlDecoder().decode(parameters.get("cursor")), StandardCharsets.UTF_8)
                    .replaceAll("^@|\\.$", ""))
                    : 0;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            problem(exchange, 400, "invalid-query", "bad limit or cursor");
            return;
        }
        String status = parameters.get("status");
        if (limit < 1 || limit > 100 || (status != null && !List.of("pending", "running", "complete", "failed", "cancelled").contains(status))) {
            problem(exchange, 400, "invalid-query", "bad limit or status");
            return;
        }
        ObjectNode page = JSON.createObjectNode();
        ArrayNode array = page.putArray("tasks");
        synchronized (this) {
            List<Task> mine = new ArrayList<>();
            for (Task task : tasks.values()) {
                if (task.owner.equals(owner) && (status == null || task.status.equals(status))) {
                    mine.add(0, task);   // newest first
                }
            }
            int end = Math.min(start + limit, mine.size());
            for (Task task : mine.subList(Math.min(start, end), end)) {
                array.add(view(task));
            }
            // A cursor with characters that need encoding in a query ('=' padding), as an opaque one may have.
            page.put("next_cursor", end < mine.size()
                    ? Base64.getUrlEncoder().encodeToString(("@" + end + ".").getBytes(StandardCharsets.UTF_8)) : null);
        }
        send(exchange, 200, "application/json", page.toString());
    }

    private synchronized boolean awaitChange(Task task, int version, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (task.version == version) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    private int preferredWait(Recorded request) {
        String prefer = request.header("Prefer");
        if (!honourPrefer || prefer == null) {
            return 0;
        }
        Matcher matcher = PREFER_WAIT.matcher(prefer);
        return matcher.find() ? Math.min(20, Integer.parseInt(matcher.group(1))) : 0;
    }

    private synchronized boolean terminal(Task task) {
        return isTerminal(task);
    }

    private static boolean isTerminal(Task task) {
        return List.of("complete", "failed", "cancelled").contains(task.status);
    }

    private static ObjectNode view(Task task) {
        ObjectNode view = JSON.createObjectNode();
        view.put("task_id", task.id);
        view.put("status", task.status);
        view.put("result", task.result);
        if (task.status.equals("failed")) {
            view.putObject("error").put("code", "attempts_exhausted").put("message", "the provider kept failing");
        } else {
            view.putNull("error");
        }
        view.put("model", task.status.equals("pending") ? null : "llama-3.1-8b-instant");
        if (task.result != null) {
            view.putObject("usage").put("input_tokens", 31).put("output_tokens", 58).put("total_tokens", 89);
            view.put("cost_usd", new java.math.BigDecimal("0.0000062"));
            view.put("duration_ms", 912);
        } else {
            view.putNull("usage");
            view.putNull("cost_usd");
            view.putNull("duration_ms");
        }
        view.put("attempts", task.status.equals("pending") ? 0 : 1);
        view.put("created_at", task.createdAt.toString());
        view.put("updated_at", task.createdAt.plusSeconds(task.version).toString());
        view.put("cancel_requested_at", task.cancelRequestedAt);
        view.put("some_future_field", "ignored by clients");
        return view;
    }

    private static void problem(HttpExchange exchange, int status, String slug, String detail) throws IOException {
        send(exchange, status, "application/problem+json", "{\"type\":\"" + PROBLEM + slug + "\",\"title\":\"" + slug
                + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\",\"instance\":\""
                + exchange.getRequestURI().getRawPath() + "\"}");
    }

    private static void problemWithErrors(HttpExchange exchange, List<String[]> errors) throws IOException {
        ObjectNode problem = JSON.createObjectNode().put("type", PROBLEM + "validation-failed")
                .put("title", "Validation failed").put("status", 422).put("detail", "the request body has "
                        + errors.size() + " invalid field(s)").put("instance", "/tasks");
        ArrayNode array = problem.putArray("errors");
        errors.forEach(e -> array.addObject().put("pointer", e[0]).put("detail", e[1]));
        send(exchange, 422, "application/problem+json", problem.toString());
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
