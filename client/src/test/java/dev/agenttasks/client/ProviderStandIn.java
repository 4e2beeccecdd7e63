package dev.agenttasks.client;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OpenAI-compatible provider on loopback (the JDK's HTTP server) for the local stack's worker
 * ({@code LLM_PROVIDER=openai}, {@code LLM_BASE_URL=}{@link #baseUrl()}), so a test sees every provider call
 * and decides when a task's call ends:
 * <ul>
 *   <li>a task containing {@code [hold:<name>]} is answered only once {@link #release release(name)} is called
 *       (or after a minute), so its task stays {@code running} as long as a test needs;</li>
 *   <li>calls to a model in {@code rateLimitedModels} get {@code 429} with {@code Retry-After}, which holds every
 *       later task of that model {@code pending} without a call;</li>
 *   <li>a task containing {@value #FAIL} gets {@code 400}, a permanent failure;</li>
 *   <li>any other call is answered at once with {@code [stand-in <model>] Answer to: <task>}.</li>
 * </ul>
 */
public final class ProviderStandIn implements AutoCloseable {

    private static final Pattern HOLD = Pattern.compile("\\[hold:([a-z0-9-]+)]");
    static final String FAIL = "[fail-permanently]";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A call as received: the model asked for, the last user message, when. */
    public record Call(String model, String task, Instant at) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "provider-stand-in");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> rateLimitedModels;
    private final int retryAfterSeconds;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
    private volatile boolean closed;

    ProviderStandIn(Set<String> rateLimitedModels, int retryAfterSeconds) throws IOException {
        this.rateLimitedModels = Set.copyOf(rateLimitedModels);
        this.retryAfterSeconds = retryAfterSeconds;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::complete);
        server.start();
    }

    /** The {@code LLM_BASE_URL} to give the local stack. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Calls whose task contains {@code text}, in the order they arrived. */
    public List<Call> callsFor(String text) {
        return calls.stream().filter(call -> call.task().contains(text)).toList();
    }

    /** Answers the calls of tasks holding on {@code name}, now and from now on. */
    public void release(String name) {
        hold(name).countDown();
    }

    private CountDownLatch hold(String name) {
        return holds.computeIfAbsent(name, n -> new CountDownLatch(closed ? 0 : 1));
    }

    @Override
    public void close() {
        closed = true;
        holds.values().forEach(CountDownLatch::countDown);
        server.stop(0);
        executor.shutdownNow();
    }

    private void complete(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String model = request.path("model").asText();
            String task = "";
            for (JsonNode message : request.path("messages")) {
                if ("user".equals(message.path("role").asText())) {
                    task = message.path("content").asText();
                }
            }
            calls.add(new Call(model, task, Instant.now()));
            if (rateLimitedModels.contains(model)) {
                exchange.getResponseHeaders().add("Retry-After", Integer.toString(retryAfterSeconds));
                send(exchange, 429, error("rate_limit_exceeded", "Rate limit reached for model " + model));
                return;
            }
            if (task.contains(FAIL)) {
                send(exchange, 400, error("invalid_request_error", "the stand-in refuses this task"));
                return;
            }
            Matcher hold = HOLD.matcher(task);
            if (hold.find()) {
                try {
                    hold(hold.group(1)).await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            String content = "[stand-in " + model + "] Answer to: " + task;
            ObjectNode answer = JSON.createObjectNode().put("id", "chatcmpl-stand-in").put("object", "chat.completion")
                    .put("created", Instant.now().getEpochSecond()).put("model", model);
            ObjectNode choice = answer.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", content);
            answer.putObject("usage").put("prompt_tokens", 40).put("completion_tokens", 20).put("total_tokens", 60);
            send(exchange, 200, answer);
        }
    }

    private static ObjectNode error(String type, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type);
        return body;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // the worker gave up on the call (a cancel interrupted it): nobody to answer
        }
    }
}
