package dev.agenttasks.local;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** {@code java -jar infra/local-stack/target/agent-tasks-local.jar} as a new user runs it: from the repository root, logging to a file. */
final class StackProcess {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final Process process;
    final Path log;
    final String base;

    private StackProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Starts the jar with the inherited environment, minus AWS_ENDPOINT_URL and LOCAL_API_KEYS, plus {@code env}. */
    static StackProcess start(int port, Map<String, String> env) throws IOException {
        Path log = Files.createTempFile("agent-tasks-local-", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "agent-tasks-local.jar").toAbsolutePath().toString())
                .directory(Path.of("../..").toAbsolutePath().normalize().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("AWS_ENDPOINT_URL");
        builder.environment().remove("LOCAL_API_KEYS");
        builder.environment().put("PORT", String.valueOf(port));
        builder.environment().putAll(env);
        return new StackProcess(builder.start(), log, port);
    }

    /** Waits until {@code GET /health} answers 200. */
    StackProcess awaitHealthy() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return this;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
