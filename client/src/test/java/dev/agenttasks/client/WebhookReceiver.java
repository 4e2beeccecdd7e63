package dev.agenttasks.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver on loopback (the JDK's HTTP server) that does what docs/api.md asks of one: it verifies
 * every delivery with a {@link WebhookVerifier} over the raw body, answers {@code 400} to one that fails, and
 * otherwise answers the next status of its script (the last one from then on).
 */
final class WebhookReceiver implements AutoCloseable {

    /** A delivery as received: its webhook-id header, raw body, what verification made of it, the answer given. */
    record Delivery(String webhookId, byte[] body, Optional<WebhookVerifier.WebhookMessage> verified,
                    Optional<String> rejection, int answered, Instant at) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "webhook-receiver");
        thread.setDaemon(true);
        return thread;
    });
    private final WebhookVerifier verifier;
    private final Deque<Integer> script;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    WebhookReceiver(WebhookVerifier verifier, Integer... statuses) throws IOException {
        this.verifier = verifier;
        this.script = new ArrayDeque<>(List.of(statuses));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(executor);
        server.createContext("/hooks", this::receive);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks");
    }

    List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Optional<WebhookVerifier.WebhookMessage> verified;
            Optional<String> rejection;
            try {
                verified = Optional.of(verifier.verify(exchange.getRequestHeaders(), body));
                rejection = Optional.empty();
            } catch (WebhookVerifier.VerificationException e) {
                verified = Optional.empty();
                rejection = Optional.of(e.getMessage());
            }
            int status = verified.isEmpty() ? 400 : next();
            deliveries.add(new Delivery(exchange.getRequestHeaders().getFirst("webhook-id"), body, verified, rejection,
                    status, Instant.now()));
            exchange.sendResponseHeaders(status, -1);
        }
    }

    private synchronized int next() {
        return script.size() > 1 ? script.removeFirst() : script.getFirst();
    }
}
