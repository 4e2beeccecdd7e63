package dev.agenttasks.acceptance;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * One function's deployable jar running as Lambda's Java runtime runs it: a fresh JVM whose main class is the
 * runtime interface client ({@code aws-lambda-java-runtime-interface-client}, with the jars its pom names), the
 * function's jar in {@code lib/} of the task root, and this class serving the Runtime API (next invocation, response,
 * error, init error) on a loopback port. The JVM's output goes to {@code <work>/<name>.log}.
 *
 * <p>The function gets its AWS credentials as Lambda hands them to a SnapStart function: from a container credentials
 * endpoint ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} with {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}), served here with
 * the keys given in the environment, which the JVM does not see.
 */
final class LambdaJavaRuntime implements AutoCloseable {

    /** A handler's answer: the response body, or the error the runtime reported. */
    record Answer(boolean error, String body) {
    }

    private static final String RUNTIME_PATH = "/2018-06-01/runtime";
    private static final String CREDENTIALS_PATH = "/credentials";
    /**
     * Where the client loads its native Runtime API library from. Without it, each JVM copies the library to
     * /tmp/.libaws-lambda-jni.so and loads it from there: JVMs starting side by side overwrite it under each other
     * (SIGBUS in the dynamic loader).
     */
    private static final String NATIVE_LIBRARY_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    private final String name;
    private final Path log;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "lambda-runtime-api");
        thread.setDaemon(true);
        return thread;
    });
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<Answer>> answers = new ConcurrentHashMap<>();
    private final CompletableFuture<String> initError = new CompletableFuture<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final String credentialsToken = UUID.randomUUID().toString();
    private final String credentials;
    private final AtomicInteger credentialRequests = new AtomicInteger();
    private final Process process;

    private LambdaJavaRuntime(String name, Path jar, String handler, Map<String, String> environment, Path work)
            throws IOException {
        this.name = name;
        this.log = work.resolve(name + ".log");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setExecutor(executor);
        server.createContext(RUNTIME_PATH, this::serve);
        server.createContext(CREDENTIALS_PATH, this::serveCredentials);
        server.start();
        this.credentials = "{\"AccessKeyId\":\"" + environment.get("AWS_ACCESS_KEY_ID") + "\",\"SecretAccessKey\":\""
                + environment.get("AWS_SECRET_ACCESS_KEY") + "\",\"Token\":\"session-" + credentialsToken + "\",\"Expiration\":\""
                + Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS) + "\"}";

        Path taskRoot = Files.createDirectories(work.resolve(name + "-task"));
        Path lib = Files.createDirectories(taskRoot.resolve("lib"));
        Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        ProcessBuilder builder = new ProcessBuilder(javaExecutable(), "-cp", runtimeClassPath(),
                "-D" + NATIVE_LIBRARY_PROPERTY + "=" + nativeLibrary(),
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler)
                .directory(taskRoot.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().retainAll(List.of("PATH", "HOME", "LANG"));
        env.putAll(environment);
        env.keySet().removeAll(List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"));
        env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:" + server.getAddress().getPort() + CREDENTIALS_PATH);
        env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", credentialsToken);
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + server.getAddress().getPort());
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("_HANDLER", handler);
        this.process = builder.start();
        process.onExit().thenRun(() -> initError.complete("the JVM exited with " + process.exitValue()));
    }

    /** Starts {@code jar}'s {@code handler} (Class::method) with {@code environment} (the function's and Lambda's). */
    static LambdaJavaRuntime start(String name, Path jar, String handler, Map<String, String> environment, Path work) {
        try {
            return new LambdaJavaRuntime(name, jar, handler, environment, work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the handler is constructed (the runtime asks for its first invocation). */
    LambdaJavaRuntime awaitReady(Duration timeout) {
        try {
            CompletableFuture.anyOf(ready, initError).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(name + " not ready within " + timeout + "\n" + log(), e);
        }
        if (!ready.isDone()) {
            throw new IllegalStateException(name + " failed to start: " + initError.join() + "\n" + log());
        }
        return this;
    }

    /** Hands the runtime one event (JSON text) and waits for its answer. */
    Answer invoke(String event, Duration timeout) {
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        answers.put(requestId, answer);
        events.add(requestId + "\n" + event);
        try {
            CompletableFuture.anyOf(answer, initError).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(name + " gave no answer within " + timeout + "\n" + log(), e);
        }
        if (!answer.isDone()) {
            throw new IllegalStateException(name + " stopped: " + initError.join() + "\n" + log());
        }
        return answer.join();
    }

    /** How many times the function asked the container credentials endpoint for its credentials. */
    int credentialRequests() {
        return credentialRequests.get();
    }

    /** What the JVM wrote so far. */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(RUNTIME_PATH.length());
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (path.equals("/invocation/next")) {
                ready.complete(null);
                next(exchange);
            } else if (path.equals("/init/error")) {
                initError.complete(body);
                answer(exchange, 202, "{}");
            } else if (path.startsWith("/invocation/") && (path.endsWith("/response") || path.endsWith("/error"))) {
                String requestId = path.substring("/invocation/".length(), path.lastIndexOf('/'));
                Optional.ofNullable(answers.get(requestId))
                        .ifPresent(answer -> answer.complete(new Answer(path.endsWith("/error"), body)));
                answer(exchange, 202, "{}");
            } else {
                answer(exchange, 404, "{}");
            }
        }
    }

    private void serveCredentials(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!credentialsToken.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                answer(exchange, 403, "{\"message\":\"wrong authorization token\"}");
                return;
            }
            credentialRequests.incrementAndGet();
            answer(exchange, 200, credentials);
        }
    }

    /** The next event, when one is handed over; the request waits until then (or until the runtime is closed). */
    private void next(HttpExchange exchange) throws IOException {
        String event;
        try {
            event = events.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int newline = event.indexOf('\n');
        exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", event.substring(0, newline));
        exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", String.valueOf(System.currentTimeMillis() + 60_000));
        exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:us-east-1:123456789012:function:" + name);
        exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
        answer(exchange, 200, event.substring(newline + 1));
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops the JVM, then the Runtime API. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop(0);
        executor.shutdownNow();
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path runtimeDirectory() {
        return Path.of(System.getProperty("agenttasks.lambdaJavaRuntime.dir", "target/lambda-java-runtime"));
    }

    /** The jars of {@code agenttasks.lambdaJavaRuntime.dir} (copied there by the build, pre-integration-test). */
    private static String runtimeClassPath() throws IOException {
        Path dir = runtimeDirectory();
        try (Stream<Path> jars = Files.list(dir)) {
            List<String> found = jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().toList();
            if (found.stream().noneMatch(jar -> jar.contains("aws-lambda-java-runtime-interface-client"))) {
                throw new IllegalStateException("no runtime interface client in " + dir);
            }
            return String.join(File.pathSeparator, found);
        }
    }

    /** The client's native library for this machine, unpacked once from its jar next to it. */
    private static synchronized String nativeLibrary() throws IOException {
        String name = "libaws-lambda-jni.linux-" + (System.getProperty("os.arch").equals("aarch64") ? "aarch_64" : "x86_64")
                + ".so";
        Path library = runtimeDirectory().resolve(name);
        if (!Files.exists(library)) {
            Path client;
            try (Stream<Path> jars = Files.list(runtimeDirectory())) {
                client = jars.filter(jar -> jar.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client"))
                        .findFirst().orElseThrow(() -> new IllegalStateException("no runtime interface client in "
                                + runtimeDirectory()));
            }
            try (FileSystem jar = FileSystems.newFileSystem(client)) {
                Path unpacking = Files.createTempFile(runtimeDirectory(), name, ".part");
                Files.copy(jar.getPath("jni", name), unpacking, StandardCopyOption.REPLACE_EXISTING);
                Files.move(unpacking, library, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return library.toString();
    }
}
