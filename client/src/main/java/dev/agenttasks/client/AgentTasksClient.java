package dev.agenttasks.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Agent Tasks API for Java callers.
 *
 * <pre>{@code
 * try (AgentTasksClient client = AgentTasksClient.builder()
 *         .baseUrl(URI.create("http://127.0.0.1:3000"))
 *         .auth(Auth.bearer("dev-token"))
 *         .build()) {
 *     Submission submission = client.submit(SubmitRequest.of("Summarise RFC 9457 in two sentences."));
 *     TaskView done = client.await(submission.task().taskId(), Duration.ofMinutes(2));
 *     System.out.println(done.result().orElse(done.error().map(TaskView.TaskError::message).orElse("")));
 * }
 * }</pre>
 *
 * <p>Every call retries network errors, 429 and 5xx answers by its {@link RetryPolicy} (a submit with the same
 * idempotency key each time, so a retry never makes a second task) and throws {@link ProblemException} for
 * other error answers. Thread-safe; build one per base URL and share it.
 */
public final class AgentTasksClient implements AutoCloseable {

    /** The longest {@code Prefer: wait} the API honours. */
    static final Duration MAX_PREFER_WAIT = Duration.ofSeconds(SubmitRequest.MAX_WAIT_SECONDS);

    private final Transport transport;
    private final boolean preferWait;
    private final Duration firstPollInterval;
    private final Duration maxPollInterval;
    private final Duration minPollInterval;
    private final ExecutorService awaiters;

    private AgentTasksClient(Builder builder) {
        HttpClient http = builder.httpClient != null ? builder.httpClient : HttpClient.newBuilder()
                // HTTP/1.1 in clear text (the JDK's h2c upgrade stalls on some servers), HTTP/2 over TLS
                .version("http".equalsIgnoreCase(builder.baseUrl.getScheme()) ? HttpClient.Version.HTTP_1_1
                        : HttpClient.Version.HTTP_2)
                .connectTimeout(builder.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.transport = new Transport(builder.baseUrl, builder.auth, http, builder.retryPolicy, builder.requestTimeout,
                builder.clock, builder.sleeper, builder.random);
        this.preferWait = builder.preferWait;
        this.firstPollInterval = builder.firstPollInterval;
        this.maxPollInterval = builder.maxPollInterval;
        this.minPollInterval = builder.minPollInterval;
        AtomicInteger threads = new AtomicInteger();
        this.awaiters = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "agent-tasks-await-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@link #submit(SubmitRequest)} of a task with no options. */
    public Submission submit(String task) {
        return submit(SubmitRequest.of(task));
    }

    /**
     * {@code POST /tasks}. The idempotency key (the request's, else one generated now) goes with every
     * attempt. With {@link SubmitRequest#waitUpTo()} the server may hold the answer until the task is done.
     *
     * @throws ProblemException   for an error answer (e.g. 422 {@code validation-failed} with its field errors)
     * @throws TransportException when no attempt got an answer; {@link AgentTasksException#idempotencyKey()}
     *                            then gives the key to submit with again
     */
    public Submission submit(SubmitRequest request) {
        String key = request.idempotencyKey().orElseGet(IdempotencyKeys::random);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Idempotency-Key", IdempotencyKeys.headerValue(key));
        request.waitUpTo().ifPresent(wait -> headers.put("Prefer", "wait=" + wait.toSeconds()));
        Transport.Response response;
        try {
            response = transport.send(new Transport.Call("POST", "/tasks", headers, body(request),
                    request.waitUpTo().orElse(Duration.ZERO)));
        } catch (AgentTasksException e) {
            throw e.withIdempotencyKey(key);
        }
        boolean replayed = response.header("Idempotent-Replayed").map(v -> v.equalsIgnoreCase("true")).orElse(false);
        return new Submission(view(response), replayed, key);
    }

    /**
     * Submits, then {@linkplain #await awaits} the task's outcome, all within {@code timeout}; the submit asks
     * the server to wait ({@code Prefer: wait}) when that is on.
     */
    public TaskView submitAndAwait(SubmitRequest request, Duration timeout) {
        Instant deadline = transport.clock().instant().plus(timeout);
        SubmitRequest asked = request;
        if (preferWait && request.waitUpTo().isEmpty() && timeout.compareTo(Duration.ofSeconds(1)) >= 0) {
            asked = copyWithWait(request, min(timeout, MAX_PREFER_WAIT));
        }
        Submission submission = submit(asked);
        if (submission.task().status().isTerminal()) {
            return submission.task();
        }
        Duration left = Duration.between(transport.clock().instant(), deadline);
        return await(submission.task().taskId(), left.isNegative() ? Duration.ZERO : left);
    }

    /**
     * {@code GET /tasks/{id}}.
     *
     * @throws ProblemException 404 {@code task-not-found} for an unknown id or another caller's task
     */
    public TaskView get(String taskId) {
        return view(transport.send(Transport.Call.get(taskPath(taskId))));
    }

    /**
     * {@code POST /tasks/{id}/cancel}: a pending task is cancelled at once; a running one is asked to stop
     * (the view shows {@code cancel_requested_at}); a cancelled one stays so.
     *
     * @throws ProblemException 409 {@code task-not-cancellable} for a complete or failed task
     */
    public TaskView cancel(String taskId) {
        return view(transport.send(new Transport.Call("POST", taskPath(taskId) + "/cancel", Map.of(), null,
                Duration.ZERO)));
    }

    /** One page of {@code GET /tasks}. */
    public TaskPage list(ListRequest request) {
        StringBuilder query = new StringBuilder();
        request.status().ifPresent(status -> query.append("&status=").append(status.value()));
        request.limit().ifPresent(limit -> query.append("&limit=").append(limit));
        request.cursor().ifPresent(cursor -> query.append("&cursor=").append(SigV4Signer.encode(cursor)));
        String path = "/tasks" + (query.length() == 0 ? "" : "?" + query.substring(1));
        JsonNode page = transport.send(Transport.Call.get(path)).json();
        if (!page.path("tasks").isArray()) {
            throw new IllegalStateException("GET /tasks answered without a tasks array: " + TaskView.abbreviate(page.toString()));
        }
        List<TaskView> tasks = new ArrayList<>();
        for (JsonNode task : page.get("tasks")) {
            tasks.add(TaskView.from(task, task.toString()));
        }
        JsonNode next = page.path("next_cursor");
        return new TaskPage(tasks, next.isTextual() && !next.asText().isEmpty() ? Optional.of(next.asText()) : Optional.empty());
    }

    /**
     * {@code GET /webhook-secret}: the secret this caller's webhooks are signed with ({@code whsec_} + the
     * base64 of a 32-byte key), for {@link WebhookVerifier#of}. Fetch it with the identity you submit with: a
     * task's webhook is signed for its owner. It changes when the deployment's signing key does (on the local
     * stack without {@code WEBHOOK_SIGNING_KEY}, at every start).
     *
     * @throws ProblemException 401 {@code unauthenticated} without a caller
     */
    public String webhookSecret() {
        JsonNode answer = transport.send(Transport.Call.get("/webhook-secret")).json();
        JsonNode secret = answer.path("secret");
        if (!secret.isTextual() || !secret.asText().startsWith(WebhookVerifier.SECRET_PREFIX)) {
            throw new IllegalStateException("GET /webhook-secret answered without a whsec_ secret: "
                    + TaskView.abbreviate(answer.toString()));
        }
        return secret.asText();
    }

    /** Every page from {@code request}'s on, fetched as the stream is consumed ({@code next_cursor} followed). */
    public Stream<TaskPage> pages(ListRequest request) {
        Iterator<TaskPage> pages = new Iterator<>() {
            private Optional<ListRequest> next = Optional.of(request);

            @Override
            public boolean hasNext() {
                return next.isPresent();
            }

            @Override
            public TaskPage next() {
                ListRequest current = next.orElseThrow(NoSuchElementException::new);
                TaskPage page = list(current);
                next = page.nextCursor().map(current::withCursor);
                return page;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** Every task {@code request} selects, newest first, page after page as the stream is consumed. */
    public Stream<TaskView> stream(ListRequest request) {
        return pages(request).flatMap(page -> page.tasks().stream());
    }

    /**
     * Waits until the task is complete, failed or cancelled, and returns that view. Polls {@code GET} with
     * {@code If-None-Match} (a {@code 304} means no change) and asks the server to hold each answer until the
     * task finishes ({@code Prefer: wait}, up to 20 s). Between polls it waits as long as the server's
     * {@code Retry-After} says; without one, not at all after a held answer, else 1 s doubling to 10 s (a
     * server that ignores {@code Prefer}). Network errors, 429 and 5xx answers are retried with the retry
     * policy's backoff until the deadline.
     *
     * @throws AwaitTimeoutException when the task is not terminal by then (the task goes on)
     * @throws ProblemException      for an error answer other than 429/5xx (e.g. 404)
     * @throws AgentTasksException   when the calling thread is interrupted
     */
    public TaskView await(String taskId, Duration timeout) {
        return awaitUntil(taskId, timeout, () -> false);
    }

    /**
     * {@link #await} on a thread of this client. Cancelling the future stops the polling (the task itself goes
     * on; {@link #cancel} stops it). The future fails with the exceptions {@link #await} throws.
     */
    public CompletableFuture<TaskView> awaitAsync(String taskId, Duration timeout) {
        Objects.requireNonNull(taskId, "taskId");
        AwaitFuture future = new AwaitFuture();
        future.worker = awaiters.submit(() -> {
            try {
                future.complete(awaitUntil(taskId, timeout, future::isDone));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
        if (future.isCancelled()) {
            future.worker.cancel(true);
        }
        return future;
    }

    /** Stops the threads of pending {@link #awaitAsync} calls. */
    @Override
    public void close() {
        awaiters.shutdownNow();
    }

    private TaskView awaitUntil(String taskId, Duration timeout, BooleanSupplier stopped) {
        Clock clock = transport.clock();
        Instant deadline = clock.instant().plus(timeout);
        String path = taskPath(taskId);
        TaskView last = null;
        String etag = null;
        int quietPolls = 0;
        int failures = 0;
        while (!stopped.getAsBoolean()) {
            Duration left = Duration.between(clock.instant(), deadline);
            Map<String, String> headers = new LinkedHashMap<>();
            if (etag != null) {
                headers.put("If-None-Match", etag);
            }
            Duration serverWait = preferWait ? Duration.ofSeconds(Math.min(left.toSeconds(), MAX_PREFER_WAIT.toSeconds()))
                    : Duration.ZERO;
            if (serverWait.toSeconds() >= 1) {
                headers.put("Prefer", "wait=" + serverWait.toSeconds());
            }
            Duration pause;
            try {
                Transport.Response response = transport.sendOnce(new Transport.Call("GET", path, headers, null, serverWait));
                if (response.status() == 304 && last != null) {
                    failures = 0;
                } else if (response.status() >= 200 && response.status() < 300) {
                    last = view(response);
                    etag = response.header("ETag").orElse(null);
                    failures = 0;
                    if (last.status().isTerminal()) {
                        return last;
                    }
                } else {
                    ProblemException problem = response.status() == 304
                            ? new ProblemException(304, "about:blank", "Not Modified", "304 to a GET without If-None-Match",
                            null, List.of(), Optional.empty(), "")
                            : transport.problem(response);
                    if (!RetryPolicy.retryable(response.status())) {
                        throw problem;
                    }
                    failures++;
                }
                Optional<Duration> retryAfter = response.header("Retry-After")
                        .flatMap(value -> Transport.retryAfter(value, clock.instant()));
                boolean serverWaited = response.header("Preference-Applied").filter(v -> v.contains("wait")).isPresent();
                if (failures > 0) {
                    pause = transport.policy().delay(failures, retryAfter, transport.random());
                } else if (retryAfter.isPresent()) {
                    pause = retryAfter.get();
                } else if (serverWaited) {
                    pause = minPollInterval;   // the server held the answer: ask again at once
                } else {
                    pause = ownPollInterval(quietPolls++);
                }
            } catch (IOException e) {
                failures++;
                pause = transport.policy().delay(failures, Optional.empty(), transport.random());
            } catch (InterruptedException e) {
                throw Transport.interrupted(e);
            }
            Instant now = clock.instant();
            if (!now.isBefore(deadline)) {
                throw new AwaitTimeoutException(taskId, timeout, last);
            }
            Duration untilDeadline = Duration.between(now, deadline);
            Duration sleep = max(pause, minPollInterval);
            try {
                transport.sleeper().sleep(sleep.compareTo(untilDeadline) < 0 ? sleep : untilDeadline);
            } catch (InterruptedException e) {
                throw Transport.interrupted(e);
            }
        }
        throw new AgentTasksException("await of task " + taskId + " was cancelled", null);
    }

    /** 1 s, 2 s, 4 s ... up to the maximum: for servers that send no Retry-After. */
    private Duration ownPollInterval(int quietPolls) {
        long millis = firstPollInterval.toMillis() << Math.min(quietPolls, 20);
        return Duration.ofMillis(Math.min(millis, maxPollInterval.toMillis()));
    }

    private static TaskView view(Transport.Response response) {
        JsonNode node = response.json();
        return TaskView.from(node, response.text());
    }

    private static String taskPath(String taskId) {
        Objects.requireNonNull(taskId, "taskId");
        if (taskId.isEmpty()) {
            throw new IllegalArgumentException("taskId must not be empty");
        }
        return "/tasks/" + SigV4Signer.encode(taskId);
    }

    private static byte[] body(SubmitRequest request) {
        ObjectNode body = Transport.JSON.createObjectNode();
        body.put("task", request.task());
        request.system().ifPresent(system -> body.put("system", system));
        if (!request.messages().isEmpty()) {
            ArrayNode messages = body.putArray("messages");
            request.messages().forEach(m -> messages.addObject().put("role", m.role()).put("content", m.content()));
        }
        request.tier().ifPresent(tier -> body.put("tier", tier));
        request.maxTokens().ifPresent(max -> body.put("max_tokens", max));
        request.maxTotalTokens().ifPresent(max -> body.put("max_total_tokens", max));
        request.callbackUrl().ifPresent(url -> body.put("callback_url", url.toString()));
        try {
            return Transport.JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a submit body", e);
        }
    }

    private static SubmitRequest copyWithWait(SubmitRequest request, Duration wait) {
        SubmitRequest.Builder copy = SubmitRequest.builder(request.task()).messages(request.messages()).waitUpTo(wait);
        request.system().ifPresent(copy::system);
        request.tier().ifPresent(copy::tier);
        request.maxTokens().ifPresent(copy::maxTokens);
        request.maxTotalTokens().ifPresent(copy::maxTotalTokens);
        request.callbackUrl().ifPresent(copy::callbackUrl);
        request.idempotencyKey().ifPresent(copy::idempotencyKey);
        return copy.build();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** A future whose cancellation also stops the thread polling for it. */
    private static final class AwaitFuture extends CompletableFuture<TaskView> {
        private volatile Future<?> worker;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Future<?> running = worker;
            if (running != null) {
                running.cancel(true);
            }
            return cancelled;
        }
    }

    /** Configures an {@link AgentTasksClient}. */
    public static final class Builder {
        private URI baseUrl = URI.create("http://127.0.0.1:3000");
        private Auth auth = Auth.none();
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private HttpClient httpClient;
        private boolean preferWait = true;
        private Duration firstPollInterval = Duration.ofSeconds(1);
        private Duration maxPollInterval = Duration.ofSeconds(10);
        private Duration minPollInterval = Duration.ofMillis(100);
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.THREAD;
        private RandomGenerator random = RandomGenerator.getDefault();

        private Builder() {
        }

        /** The API root: {@code http://127.0.0.1:3000} (the default) or the deployment's URL, stage path included. */
        public Builder baseUrl(URI value) {
            String scheme = Objects.requireNonNull(value, "baseUrl").getScheme();
            if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || value.getHost() == null) {
                throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL, got " + value);
            }
            this.baseUrl = value;
            return this;
        }

        public Builder auth(Auth value) {
            this.auth = Objects.requireNonNull(value, "auth");
            return this;
        }

        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = Objects.requireNonNull(value, "connectTimeout");
            return this;
        }

        /** Per attempt; a {@code Prefer: wait} request gets the wait on top. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = Objects.requireNonNull(value, "requestTimeout");
            return this;
        }

        /** The HTTP client to use (its connect timeout and version are then its own). */
        public Builder httpClient(HttpClient value) {
            this.httpClient = Objects.requireNonNull(value, "httpClient");
            return this;
        }

        /** Whether {@link #await} and {@link #submitAndAwait} ask the server to hold answers ({@code Prefer: wait}); on by default. */
        public Builder preferWait(boolean value) {
            this.preferWait = value;
            return this;
        }

        /** The pause between polls when the server sends no {@code Retry-After}: {@code first}, doubling to {@code max}. */
        public Builder pollInterval(Duration first, Duration max) {
            if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
                throw new IllegalArgumentException("need 0 < first <= max");
            }
            this.firstPollInterval = first;
            this.maxPollInterval = max;
            return this;
        }

        Builder minPollInterval(Duration value) {
            this.minPollInterval = value;
            return this;
        }

        Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        Builder sleeper(Sleeper value) {
            this.sleeper = value;
            return this;
        }

        Builder random(RandomGenerator value) {
            this.random = value;
            return this;
        }

        public AgentTasksClient build() {
            return new AgentTasksClient(this);
        }
    }
}
