package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.client.FakeAgentTasksApi.Failure;

/**
 * The client over real sockets against {@link FakeAgentTasksApi}, which serves the documented shapes of the
 * API (cancel, list, Prefer, ETag, Retry-After pacing) and answers a test scripts: what the local stack cannot
 * be made to do on cue. Waits go through a {@link TestClock}, so nothing sleeps unless a test says so.
 */
class AgentTasksClientTest {

    private static final String TOKEN = "Bearer alice";

    private FakeAgentTasksApi api;
    private TestClock clock;
    private AgentTasksClient client;

    @BeforeEach
    void start() throws IOException {
        api = new FakeAgentTasksApi();
        clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
        client = client(RetryPolicy.defaults(), true);
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private AgentTasksClient client(RetryPolicy policy, boolean preferWait) {
        return AgentTasksClient.builder().baseUrl(api.url()).auth(Auth.bearer("alice")).retryPolicy(policy)
                .preferWait(preferWait).clock(clock).sleeper(clock.sleeper()).requestTimeout(Duration.ofSeconds(10))
                .build();
    }

    // --- submit and retries ---

    @Test
    void aSubmitSendsTheBodyAKeyAndTheTokenAndReturnsTheNewTask() {
        Submission submission = client.submit(SubmitRequest.builder("Summarise RFC 9457.").system("Be terse.")
                .tier("fast").maxTokens(256).maxTotalTokens(4096).callbackUrl(URI.create("https://example.com/hook"))
                .messages(List.of(SubmitRequest.Message.user("hi"), SubmitRequest.Message.assistant("hello"))).build());

        FakeAgentTasksApi.Recorded post = api.requests("POST", "/tasks").get(0);
        assertThat(submission.replayed()).isFalse();
        assertThat(submission.task().status()).isEqualTo(TaskStatus.PENDING);
        assertThat(submission.task().taskId()).hasSize(26);
        assertThat(post.header("Idempotency-Key")).isEqualTo("\"" + submission.idempotencyKey() + "\"");
        assertThat(post.header("Authorization")).isEqualTo(TOKEN);
        assertThat(post.header("Content-Type")).isEqualTo("application/json");
        assertThat(post.header("Prefer")).isNull();
        assertThat(post.body()).isEqualTo("{\"task\":\"Summarise RFC 9457.\",\"system\":\"Be terse.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"}],"
                + "\"tier\":\"fast\",\"max_tokens\":256,\"max_total_tokens\":4096,\"callback_url\":\"https://example.com/hook\"}");
    }

    @Test
    void eachSubmitGetsItsOwnKeyAndAGivenKeyIsUsedAsIs() {
        String first = client.submit("a").idempotencyKey();
        String second = client.submit("a").idempotencyKey();
        Submission mine = client.submit(SubmitRequest.builder("b").idempotencyKey("order-42").build());
        Submission again = client.submit(SubmitRequest.builder("b").idempotencyKey("order-42").build());

        assertThat(first).isNotEqualTo(second);
        assertThat(api.taskCount()).isEqualTo(3);
        assertThat(mine.idempotencyKey()).isEqualTo("order-42");
        assertThat(again.replayed()).isTrue();
        assertThat(again.task().taskId()).isEqualTo(mine.task().taskId());
    }

    @Test
    void a503IsRetriedAfterTheServersRetryAfterWithTheSameKeyAndMakesOneTask() {
        api.failNext(2, Failure.problem(503, "service-unavailable", "2"));

        Submission submission = client.submit("What is a lease?");

        List<FakeAgentTasksApi.Recorded> posts = api.requests("POST", "/tasks");
        assertThat(posts).hasSize(3);
        assertThat(posts).extracting(p -> p.header("Idempotency-Key")).containsOnly("\"" + submission.idempotencyKey() + "\"");
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
        assertThat(api.taskCount()).isEqualTo(1);
    }

    @Test
    void a429And5xxWithoutRetryAfterBackOffWithFullJitterUnderAnExponentialCeiling() {
        api.failNext(1, Failure.problem(429, "too-many-requests", null));
        api.failNext(1, new Failure(502, null, "text/html", "<html>Bad Gateway</html>"));
        api.failNext(1, Failure.problem(500, "internal-error", null));
        api.failNext(1, Failure.problem(504, "gateway-timeout", null));

        client.submit("x");

        RetryPolicy policy = RetryPolicy.defaults();
        assertThat(clock.sleeps).hasSize(4);
        for (int retry = 1; retry <= 4; retry++) {
            assertThat(clock.sleeps.get(retry - 1)).isBetween(Duration.ZERO, policy.ceiling(retry));
        }
        assertThat(policy.ceiling(4)).isEqualTo(Duration.ofMillis(2000));
    }

    @Test
    void aClientErrorIsNeverRetriedAndCarriesTheProblemDocument() {
        ProblemException problem = catchThrowableOfType(ProblemException.class, () -> client.submit(" "));

        assertThat(api.requests("POST", "/tasks")).hasSize(1);
        assertThat(clock.sleeps).isEmpty();
        assertThat(problem.status()).isEqualTo(422);
        assertThat(problem.type()).isEqualTo("urn:agent-tasks:problem:validation-failed");
        assertThat(problem.slug()).isEqualTo("validation-failed");
        assertThat(problem.title()).isEqualTo("Validation failed");
        assertThat(problem.detail()).isEqualTo("the request body has 1 invalid field(s)");
        assertThat(problem.instance()).hasValue("/tasks");
        assertThat(problem.errors()).containsExactly(new ProblemException.FieldError("/task", "must not be blank"));
        assertThat(problem.isClientError()).isTrue();
        assertThat(problem).hasMessage("HTTP 422 validation-failed: the request body has 1 invalid field(s); /task must not be blank");
        assertThat(problem.idempotencyKey()).isPresent();
    }

    @Test
    void retriesStopAtMaxAttemptsWithTheLastProblemAndTheKeyToResendWith() {
        api.failNext(10, Failure.problem(500, "internal-error", null));

        ProblemException problem = catchThrowableOfType(ProblemException.class, () -> client.submit("x"));

        assertThat(api.requests("POST", "/tasks")).hasSize(RetryPolicy.defaults().maxAttempts());
        assertThat(problem.status()).isEqualTo(500);
        assertThat(problem.isServerError()).isTrue();
        assertThat(problem.idempotencyKey()).hasValueSatisfying(key ->
                assertThat(api.requests("POST", "/tasks").get(0).header("Idempotency-Key")).isEqualTo("\"" + key + "\""));
    }

    @Test
    void aRetryAfterLongerThanThePolicyAllowsIsReturnedNotWaitedFor() {
        api.failNext(1, Failure.problem(503, "service-unavailable", "3600"));

        ProblemException problem = catchThrowableOfType(ProblemException.class, () -> client.submit("x"));

        assertThat(problem.retryAfter()).hasValue(Duration.ofHours(1));
        assertThat(clock.sleeps).isEmpty();
        assertThat(api.requests("POST", "/tasks")).hasSize(1);
    }

    @Test
    void anErrorThatIsNotAProblemDocumentBecomesOneWithItsBodyAsDetail() {
        api.failNext(1, new Failure(403, null, "application/json", "{\"message\":\"Forbidden\"}"));

        ProblemException problem = catchThrowableOfType(ProblemException.class, () -> client.get("t1"));

        assertThat(problem.status()).isEqualTo(403);
        assertThat(problem.type()).isEqualTo("about:blank");
        assertThat(problem.title()).isEqualTo("Forbidden");
        assertThat(problem.detail()).isEqualTo("Forbidden");
        assertThat(problem.body()).isEqualTo("{\"message\":\"Forbidden\"}");
    }

    @Test
    void noServerMeansATransportErrorAfterEveryAttemptWithBackoffBetween() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        AgentTasksClient nowhere = AgentTasksClient.builder().baseUrl(URI.create("http://127.0.0.1:" + closedPort))
                .clock(clock).sleeper(clock.sleeper()).build();

        TransportException error = catchThrowableOfType(TransportException.class, () -> nowhere.submit("x"));

        assertThat(error.attempts()).isEqualTo(5);
        assertThat(error).hasMessageStartingWith("no answer from http://127.0.0.1:" + closedPort + "/tasks after 5 attempts: ");
        assertThat(error.idempotencyKey()).isPresent();
        assertThat(clock.sleeps).hasSize(4);
        nowhere.close();
    }

    @Test
    void aServerThatAcceptsButNeverAnswersTimesOutAndIsRetried() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            AgentTasksClient patient = AgentTasksClient.builder().baseUrl(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                    .requestTimeout(Duration.ofMillis(300)).retryPolicy(new RetryPolicy(2, Duration.ZERO, Duration.ZERO,
                            Duration.ZERO)).clock(clock).sleeper(clock.sleeper()).build();

            TransportException error = catchThrowableOfType(TransportException.class, () -> patient.get("t1"));

            assertThat(error.attempts()).isEqualTo(2);
            assertThat(error).hasMessageEndingWith("after 2 attempts: timed out");
            patient.close();
        }
    }

    @Test
    void aRedirectIsAnErrorNotFollowedNorRetried() {
        api.failNext(1, new Failure(302, null, "text/plain", ""));

        ProblemException redirect = catchThrowableOfType(ProblemException.class, () -> client.get("t1"));

        assertThat(redirect.status()).isEqualTo(302);
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void sigV4SignsEveryAttemptAfresh() {
        AgentTasksClient signed = AgentTasksClient.builder().baseUrl(api.url())
                .auth(Auth.sigV4("eu-west-1", () -> new AwsCredentials("AKIDEXAMPLE", "secret", Optional.of("token"))))
                .clock(clock).sleeper(clock.sleeper()).build();
        api.failNext(1, Failure.problem(503, "service-unavailable", "1"));

        assertThatThrownBy(() -> signed.get("t0000000000000000000000001")).isInstanceOf(ProblemException.class);

        List<FakeAgentTasksApi.Recorded> gets = api.requests("GET", "/tasks/");
        assertThat(gets).hasSize(2);
        assertThat(gets).allSatisfy(get -> {
            assertThat(get.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                    .contains("/eu-west-1/execute-api/aws4_request, SignedHeaders=accept;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, ");
            assertThat(get.header("X-Amz-Security-Token")).isEqualTo("token");
        });
        assertThat(gets.get(0).header("X-Amz-Date")).isEqualTo("20260301T100000Z");
        assertThat(gets.get(1).header("X-Amz-Date")).isEqualTo("20260301T100001Z");
        signed.close();
    }

    // --- get, cancel, list ---

    @Test
    void getReadsEveryFieldAndIgnoresUnknownOnes() {
        String id = client.submit("x").task().taskId();
        api.finish(id, "complete", "the answer");

        TaskView task = client.get(id);

        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(task.result()).hasValue("the answer");
        assertThat(task.model()).hasValue("llama-3.1-8b-instant");
        assertThat(task.usage()).hasValue(new TaskView.Usage(31, 58, 89));
        assertThat(task.costUsd()).hasValue(new BigDecimal("0.0000062"));
        assertThat(task.durationMs()).hasValue(912L);
        assertThat(task.attempts()).isEqualTo(1);
        assertThat(task.error()).isEmpty();
        assertThat(task.createdAt()).isPresent();
        assertThat(task.json()).contains("\"some_future_field\"");
    }

    @Test
    void anotherCallersOrAnUnknownTaskIsNotFoundAndOddIdsStayInTheirPathSegment() {
        String id = client.submit("x").task().taskId();
        AgentTasksClient bob = AgentTasksClient.builder().baseUrl(api.url()).auth(Auth.bearer("bob")).build();

        assertThat(catchThrowableOfType(ProblemException.class, () -> bob.get(id)).slug()).isEqualTo("task-not-found");
        assertThat(catchThrowableOfType(ProblemException.class, () -> client.get("../health?x=1")).status()).isEqualTo(404);
        assertThat(api.requests("GET", "/tasks/").get(1).path()).isEqualTo("/tasks/..%2Fhealth%3Fx%3D1");
        bob.close();
    }

    @Test
    void cancelStopsAPendingTaskAtOnceAsksARunningOneAndRefusesAFinishedOne() {
        String pending = client.submit("a").task().taskId();
        String running = client.submit("b").task().taskId();
        String complete = client.submit("c").task().taskId();
        api.start(running);
        api.finish(complete, "complete", "done");

        TaskView cancelled = client.cancel(pending);
        TaskView again = client.cancel(pending);
        TaskView asked = client.cancel(running);
        ProblemException refused = catchThrowableOfType(ProblemException.class, () -> client.cancel(complete));

        assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(again.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(asked.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(asked.cancelRequestedAt()).hasValue(Instant.parse("2026-01-01T00:00:05Z"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.slug()).isEqualTo("task-not-cancellable");
        assertThat(api.requests("POST", "/tasks/")).extracting(FakeAgentTasksApi.Recorded::path)
                .containsExactly("/tasks/" + pending + "/cancel", "/tasks/" + pending + "/cancel",
                        "/tasks/" + running + "/cancel", "/tasks/" + complete + "/cancel");
    }

    @Test
    void streamingAListFollowsNextCursorPageByPageNewestFirst() {
        for (int i = 0; i < 45; i++) {
            api.addTask(TOKEN, i % 3 == 0 ? "failed" : "complete");
        }
        api.addTask("Bearer bob", "complete");

        List<String> ids = client.stream(ListRequest.all().withLimit(20)).map(TaskView::taskId).toList();
        List<String> failed = client.stream(ListRequest.all().withStatus(TaskStatus.FAILED).withLimit(100))
                .map(t -> t.status().value()).toList();

        assertThat(ids).hasSize(45).doesNotHaveDuplicates();
        assertThat(ids.get(0)).isEqualTo(String.format("t%025d", 45));
        assertThat(ids.get(44)).isEqualTo(String.format("t%025d", 1));
        assertThat(failed).hasSize(15).containsOnly("failed");
        List<String> paths = api.requests("GET", "/tasks").stream().map(FakeAgentTasksApi.Recorded::path).toList();
        assertThat(paths).hasSize(4);
        assertThat(paths.get(0)).isEqualTo("/tasks?limit=20");
        assertThat(paths.get(1)).isEqualTo("/tasks?limit=20&cursor=QDIwLg%3D%3D");   // "@20." padded
        assertThat(paths.get(3)).isEqualTo("/tasks?status=failed&limit=100");
    }

    @Test
    void aStreamFetchesOnlyThePagesItsConsumerReads() {
        for (int i = 0; i < 45; i++) {
            api.addTask(TOKEN, "complete");
        }

        List<TaskView> firstFive = client.stream(ListRequest.all().withLimit(20)).limit(5).toList();
        TaskPage page = client.list(ListRequest.all().withLimit(40));

        assertThat(firstFive).hasSize(5);
        assertThat(api.requests("GET", "/tasks?")).hasSize(2);
        assertThat(page.tasks()).hasSize(40);
        assertThat(page.nextCursor()).isPresent();
    }

    @Test
    void aBadListQueryIsRefusedBeforeSendingOrByTheServer() {
        assertThatThrownBy(() -> ListRequest.all().withLimit(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ListRequest.all().withLimit(101)).isInstanceOf(IllegalArgumentException.class);

        ProblemException tampered = catchThrowableOfType(ProblemException.class,
                () -> client.list(ListRequest.all().withCursor("not a cursor")));

        assertThat(tampered.status()).isEqualTo(400);
        assertThat(tampered.slug()).isEqualTo("invalid-query");
    }

    // --- await ---

    @Test
    void awaitFollowsRetryAfterAndSendsIfNoneMatchGetting304sUntilTheTaskChanges() {
        AgentTasksClient polling = client(RetryPolicy.defaults(), false);
        api.retryAfter("3");
        String id = polling.submit("x").task().taskId();
        clock.onSleep(() -> {
            if (clock.sleeps.size() == 3) {
                api.finish(id, "complete", "done");
            }
        });

        TaskView done = polling.await(id, Duration.ofMinutes(1));

        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(done.result()).hasValue("done");
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(3));
        List<FakeAgentTasksApi.Recorded> gets = api.requests("GET", "/tasks/");
        assertThat(gets).hasSize(4);
        assertThat(gets.get(0).header("If-None-Match")).isNull();
        assertThat(gets.subList(1, 4)).extracting(g -> g.header("If-None-Match")).containsOnly("\"v1\"");
        assertThat(gets).extracting(g -> g.header("Prefer")).containsOnly((String) null);
        polling.close();
    }

    @Test
    void withoutRetryAfterOrETagsAwaitBacksOffFromOneSecondToTen() {
        AgentTasksClient polling = client(RetryPolicy.defaults(), false);
        api.retryAfter(null).sendEtags(false);
        String id = polling.submit("x").task().taskId();
        clock.onSleep(() -> {
            if (clock.sleeps.size() == 6) {
                api.finish(id, "failed", null);
            }
        });

        TaskView failed = polling.await(id, Duration.ofMinutes(5));

        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.error()).hasValue(new TaskView.TaskError("attempts_exhausted", "the provider kept failing"));
        assertThat(clock.sleeps).extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 10L, 10L);
        assertThat(api.requests("GET", "/tasks/")).extracting(g -> g.header("If-None-Match")).containsOnly((String) null);
        polling.close();
    }

    @Test
    void awaitStopsAtItsDeadlineWithTheLastViewSeenAndTheTaskGoesOn() {
        AgentTasksClient polling = client(RetryPolicy.defaults(), false);
        api.retryAfter("4");
        String id = polling.submit("x").task().taskId();
        api.start(id);

        AwaitTimeoutException timeout = catchThrowableOfType(AwaitTimeoutException.class,
                () -> polling.await(id, Duration.ofSeconds(10)));

        assertThat(timeout.taskId()).isEqualTo(id);
        assertThat(timeout.lastSeen()).hasValueSatisfying(v -> assertThat(v.status()).isEqualTo(TaskStatus.RUNNING));
        assertThat(timeout).hasMessage("task " + id + " was still running after PT10S");
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(4), Duration.ofSeconds(4), Duration.ofSeconds(2));
        assertThat(api.requests("GET", "/tasks/")).hasSize(4);
        assertThat(api.status(id)).isEqualTo("running");
        polling.close();
    }

    @Test
    void awaitRidesOutServerErrorsUntilTheDeadlineButNotAClientError() {
        AgentTasksClient polling = client(RetryPolicy.defaults(), false);
        String id = polling.submit("x").task().taskId();
        api.failNext(3, Failure.problem(503, "service-unavailable", "2"));
        clock.onSleep(() -> {
            if (clock.sleeps.size() == 3) {
                api.finish(id, "complete", "done");
            }
        });

        assertThat(polling.await(id, Duration.ofMinutes(1)).status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
        assertThat(catchThrowableOfType(ProblemException.class, () -> polling.await("nope", Duration.ofMinutes(1))).status())
                .isEqualTo(404);
        polling.close();
    }

    @Test
    void awaitAsksTheServerToHoldTheAnswerAndReturnsAsSoonAsTheTaskFinishes() {
        String id = client.submit("x").task().taskId();
        CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> api.requests("GET", "/tasks/").size() == 1);
            api.finish(id, "complete", "held");
        });

        TaskView done = client.await(id, Duration.ofSeconds(60));

        assertThat(done.result()).hasValue("held");
        assertThat(api.requests("GET", "/tasks/")).singleElement()
                .satisfies(get -> assertThat(get.header("Prefer")).isEqualTo("wait=20"));
        assertThat(clock.sleeps).isEmpty();
    }

    @Test
    void aServerThatHeldTheAnswerIsAskedAgainAtOnceAndTheWaitShrinksToTheDeadline() {
        api.retryAfter(null);
        String id = client.submit("x").task().taskId();
        CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> api.requests("GET", "/tasks/").size() == 1);
            api.start(id);   // the first held answer: "running"
            await().atMost(Duration.ofSeconds(10)).until(() -> api.requests("GET", "/tasks/").size() == 2);
            api.finish(id, "complete", "second");
        });

        TaskView done = client.await(id, Duration.ofSeconds(7));

        assertThat(done.result()).hasValue("second");
        assertThat(api.requests("GET", "/tasks/")).extracting(g -> g.header("Prefer")).containsExactly("wait=7", "wait=6");
        assertThat(clock.sleeps).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void submitAndAwaitGetsTheOutcomeInTheSubmitsAnswerWhenTheServerWaits() {
        CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> api.taskCount() == 1);
            api.finish(String.format("t%025d", 1), "complete", "at once");
        });

        TaskView done = client.submitAndAwait(SubmitRequest.of("x"), Duration.ofSeconds(30));

        assertThat(done.result()).hasValue("at once");
        assertThat(api.requests("POST", "/tasks")).singleElement()
                .satisfies(post -> assertThat(post.header("Prefer")).isEqualTo("wait=20"));
        assertThat(api.requests("GET", "/tasks/")).isEmpty();
    }

    @Test
    void submitAndAwaitFallsBackToPollingWhenTheServerIgnoresPrefer() {
        api.honourPrefer(false);
        clock.onSleep(() -> api.finish(String.format("t%025d", 1), "complete", "polled"));

        TaskView done = client.submitAndAwait(SubmitRequest.of("x"), Duration.ofSeconds(30));

        assertThat(done.result()).hasValue("polled");
        assertThat(api.requests("POST", "/tasks").get(0).header("Prefer")).isEqualTo("wait=20");
        assertThat(api.requests("GET", "/tasks/")).hasSize(2);
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void cancellingAnAsyncAwaitStopsItsPolling() throws Exception {
        AgentTasksClient polling = AgentTasksClient.builder().baseUrl(api.url()).auth(Auth.bearer("alice"))
                .preferWait(false).build();   // real time: Retry-After 1 s between polls
        String id = polling.submit("x").task().taskId();

        CompletableFuture<TaskView> future = polling.awaitAsync(id, Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.requests("GET", "/tasks/").size() >= 1);
        assertThat(future.cancel(true)).isTrue();
        int polled = api.requests("GET", "/tasks/").size();

        assertThatThrownBy(future::get).isInstanceOf(CancellationException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("agent-tasks-await-") && stackMentions(t, "awaitUntil")));
        await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(4))
                .until(() -> api.requests("GET", "/tasks/").size() == polled);
        polling.close();
    }

    @Test
    void anAsyncAwaitCompletesWithTheOutcomeOrTheError() throws Exception {
        String id = client.submit("x").task().taskId();
        clock.onSleep(() -> api.finish(id, "cancelled", null));
        api.honourPrefer(false);

        CompletableFuture<TaskView> done = client.awaitAsync(id, Duration.ofMinutes(1));
        CompletableFuture<TaskView> missing = client.awaitAsync("nope", Duration.ofMinutes(1));

        assertThat(done.get(10, TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.CANCELLED);
        assertThatThrownBy(() -> missing.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ProblemException.class);
    }

    @Test
    void problemsAreReadFromEveryEndpoint() {
        String id = client.submit("x").task().taskId();
        api.failNext(1, Failure.problem(401, "unauthenticated", null));

        ProblemException unauthenticated = catchThrowableOfType(ProblemException.class, () -> client.cancel(id));

        assertThat(unauthenticated.slug()).isEqualTo("unauthenticated");
        assertThat(api.requests().stream().map(FakeAgentTasksApi.Recorded::method).collect(Collectors.joining(",")))
                .isEqualTo("POST,POST");
    }

    @Test
    void theWebhookSecretIsRetriedLikeAnyCallAndAnAnswerWithoutAWhsecSecretIsAnError() {
        String secret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
        api.failNext(1, Failure.problem(503, "service-unavailable", "1"));
        api.failNext(1, new Failure(200, null, "application/json",
                "{\"secret\":\"" + secret + "\",\"signature_scheme\":\"standard-webhooks-v1\"}"));
        api.failNext(1, new Failure(200, null, "application/json", "{\"secret\":\"not-a-webhook-secret\"}"));

        String fetched = client.webhookSecret();
        Throwable malformed = catchThrowable(client::webhookSecret);

        assertThat(fetched).isEqualTo(secret);
        assertThat(malformed).isInstanceOf(IllegalStateException.class).hasMessageContaining("without a whsec_ secret");
        assertThat(api.requests("GET", "/webhook-secret")).hasSize(3)
                .extracting(request -> request.header("Authorization")).containsOnly(TOKEN);
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(1));
    }

    private static boolean stackMentions(Thread thread, String method) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }
}
