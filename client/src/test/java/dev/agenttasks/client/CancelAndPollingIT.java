package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Cancel, the server's pacing ({@code Retry-After}, {@code ETag} and {@code 304}, {@code Prefer: wait}) and
 * awaiting, through the whole local stack over real sockets. Its worker calls a {@link ProviderStandIn}, so a test
 * sees every provider call, keeps a task {@code running} until it releases the call, and keeps one
 * {@code pending} behind its model's rate limit.
 *
 * <p>The tests share the stack and run at once: each has its own tasks, held tier and held calls. The two that
 * await asynchronously take turns, since one checks that no await thread is left.
 */
@Execution(ExecutionMode.CONCURRENT)
class CancelAndPollingIT {

    private static final String AWAIT_THREADS = "agent-tasks-await threads";

    private static StandInStack stack;
    private static AgentTasksClient alice;

    @BeforeAll
    static void start() {
        stack = StandInStack.start("alice-token=alice,bob-token=bob");
        alice = client(stack.url(), "alice-token");
    }

    @AfterAll
    static void stop() {
        if (alice != null) {
            alice.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static AgentTasksClient client(URI url, String token) {
        return AgentTasksClient.builder().baseUrl(url).auth(Auth.bearer(token))
                .pollInterval(Duration.ofMillis(100), Duration.ofMillis(500)).build();
    }

    private static SubmitRequest fast(String task) {
        return SubmitRequest.builder(task).tier(StandInStack.FAST).build();
    }

    @Test
    void aPendingTaskIsCancelledAtOnceAndItsProviderCallNeverHappens() {
        String label = "What is a pending task?";
        StandInStack.Held held = stack.heldTask(alice, "held-a", label);
        String id = held.task().taskId();
        TaskView.Waiting waiting = held.task().waiting().orElseThrow();

        TaskView cancelled = alice.cancel(id);
        TaskView again = alice.cancel(id);
        TaskView primerAsked = alice.cancel(held.primerId());   // it waits out the 429's Retry-After to call again
        TaskView primerStopped = alice.await(held.primerId(), Duration.ofSeconds(30));

        assertThat(waiting.reason()).isEqualTo("rate_limited");
        assertThat(waiting.model()).isEqualTo(StandInStack.model("held-a"));
        assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(cancelled.cancelRequestedAt()).isPresent();
        assertThat(cancelled.attempts()).isZero();
        assertThat(again.json()).isEqualTo(cancelled.json());
        assertThat(primerAsked.cancelRequestedAt()).isPresent();
        assertThat(primerStopped.status()).isEqualTo(TaskStatus.CANCELLED);
        Instant primerCancelRequested = primerAsked.cancelRequestedAt().orElseThrow();
        // The held task's queue message comes back when the hold ends (plus up to a fifth of it): its worker must
        // drop it without a call. Watch until well after that; neither task calls or changes again.
        Duration pastTheHold = Duration.between(Instant.now(), waiting.until().orElseThrow()).plusSeconds(5);
        await().during(pastTheHold).atMost(pastTheHold.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> stack.provider.callsFor(label + " (held)").isEmpty()
                        && stack.provider.callsFor(label + " (primer)").stream()
                                .allMatch(call -> call.at().isBefore(primerCancelRequested))
                        && alice.get(id).json().equals(cancelled.json())
                        && alice.get(held.primerId()).json().equals(primerStopped.json()));
    }

    @Test
    void aRunningTaskStopsWithoutAnotherProviderCallAndEndsCancelledOnce() {
        String task = "Explain leases in depth. [hold:running]";
        String id = alice.submit(fast(task)).task().taskId();
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.provider.callsFor(task).size() == 1);

        TaskView asked = alice.cancel(id);
        TaskView stopped = alice.await(id, Duration.ofSeconds(30));
        stack.provider.release("running");   // the held call answers now, to a worker that stopped listening

        assertThat(asked.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(asked.cancelRequestedAt()).isPresent();
        assertThat(stopped.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(stopped.result()).isEmpty();
        assertThat(stopped.attempts()).isEqualTo(1);
        assertThat(stopped.cancelRequestedAt()).isEqualTo(asked.cancelRequestedAt());
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .until(() -> stack.provider.callsFor(task).size() == 1 && alice.get(id).json().equals(stopped.json()));
        assertThat(alice.cancel(id).json()).isEqualTo(stopped.json());
    }

    @Test
    void aFinishedTaskIsNotCancellableAndAnotherCallersTaskIsNotFound() {
        TaskView done = alice.submitAndAwait(fast("What is a receipt?"), Duration.ofSeconds(30));

        ProblemException refused = catchThrowableOfType(ProblemException.class, () -> alice.cancel(done.taskId()));
        ProblemException notFound;
        try (AgentTasksClient bob = client(stack.url(), "bob-token")) {
            notFound = catchThrowableOfType(ProblemException.class, () -> bob.cancel(done.taskId()));
        }

        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.slug()).isEqualTo("task-not-cancellable");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.slug()).isEqualTo("task-not-found");
        assertThat(alice.get(done.taskId()).status()).isEqualTo(TaskStatus.COMPLETE);
    }

    @Test
    void awaitFollowsRetryAfterAndSendsTheETagGetting304sUntilItsDeadline() throws Exception {
        StandInStack.Held held = stack.heldTask(alice, "held-b", "What is polling?");
        String id = held.task().taskId();
        TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
        Duration timeout = Duration.ofSeconds(20);
        AwaitTimeoutException timedOut;
        List<DroppingProxy.Forwarded> gets;
        try (DroppingProxy proxy = new DroppingProxy(stack.url(), 0);
             AgentTasksClient polling = AgentTasksClient.builder().baseUrl(proxy.url()).auth(Auth.bearer("alice-token"))
                     .preferWait(false).clock(clock).sleeper(clock.sleeper()).build()) {

            timedOut = catchThrowableOfType(AwaitTimeoutException.class, () -> polling.await(id, timeout));
            gets = proxy.forwarded();
        }
        alice.cancel(id);
        alice.cancel(held.primerId());

        assertThat(timedOut.lastSeen()).hasValueSatisfying(view -> {
            assertThat(view.status()).isEqualTo(TaskStatus.PENDING);
            assertThat(view.waiting()).isPresent();
        });
        assertThat(gets).hasSizeGreaterThanOrEqualTo(2);
        assertThat(gets).extracting(DroppingProxy.Forwarded::requestLine).containsOnly("GET /tasks/" + id + " HTTP/1.1");
        assertThat(gets).extracting(get -> get.header("Prefer")).containsOnlyNulls();
        assertThat(gets.get(0).header("If-None-Match")).isNull();
        assertThat(gets.get(0).status()).isEqualTo(200);
        String etag = responseHeader(gets.get(0), "etag");
        assertThat(etag).isNotBlank();
        assertThat(gets.subList(1, gets.size())).allSatisfy(get -> {
            assertThat(get.header("If-None-Match")).isEqualTo(etag);
            assertThat(get.status()).isEqualTo(304);
            assertThat(get.response()).endsWith("\r\n\r\n");   // no body
        });
        // Each pause is the Retry-After the answer carried (the seconds until the held task is tried again: the
        // hold's end plus up to a fifth of it), cut at the deadline.
        List<Duration> expected = new ArrayList<>();
        Duration left = timeout;
        for (DroppingProxy.Forwarded get : gets.subList(0, gets.size() - 1)) {
            Duration retryAfter = Duration.ofSeconds(Long.parseLong(responseHeader(get, "retry-after")));
            assertThat(retryAfter).isBetween(Duration.ofSeconds(1),
                    Duration.ofSeconds(StandInStack.HOLD_SECONDS + StandInStack.HOLD_SECONDS / 5 + 1));
            Duration pause = retryAfter.compareTo(left) < 0 ? retryAfter : left;
            expected.add(pause);
            left = left.minus(pause);
        }
        assertThat(clock.sleeps).isEqualTo(expected);
        assertThat(left).isZero();
    }

    @Test
    @ResourceLock(AWAIT_THREADS)
    void awaitAsksTheServerToHoldTheAnswerAndHasItAsSoonAsTheTaskFinishes() throws Exception {
        String task = "What is a long poll? [hold:long-poll]";
        String id = alice.submit(fast(task)).task().taskId();
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.provider.callsFor(task).size() == 1);
        TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
        TaskView done;
        List<DroppingProxy.Forwarded> gets;
        try (DroppingProxy proxy = new DroppingProxy(stack.url(), 0);
             AgentTasksClient polling = AgentTasksClient.builder().baseUrl(proxy.url()).auth(Auth.bearer("alice-token"))
                     .clock(clock).sleeper(clock.sleeper()).build()) {

            CompletableFuture<TaskView> awaited = polling.awaitAsync(id, Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.received().size() == 1);   // held by the server
            stack.provider.release("long-poll");
            done = awaited.get(30, TimeUnit.SECONDS);
            gets = proxy.forwarded();
        }

        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(done.result()).hasValue("[stand-in stand-in-fast] Answer to: " + task);
        assertThat(gets).singleElement().satisfies(get -> {
            assertThat(get.header("Prefer")).isEqualTo("wait=20");
            assertThat(get.status()).isEqualTo(200);
            assertThat(responseHeader(get, "preference-applied")).isEqualTo("wait=20");
        });
        assertThat(clock.sleeps).isEmpty();
    }

    @Test
    @ResourceLock(AWAIT_THREADS)
    void cancellingAnAsyncAwaitStopsItsPollingAndTheTaskGoesOn() throws Exception {
        String task = "What is a future? [hold:async]";
        String id = alice.submit(fast(task)).task().taskId();
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.provider.callsFor(task).size() == 1);
        try (DroppingProxy proxy = new DroppingProxy(stack.url(), 0);
             AgentTasksClient polling = AgentTasksClient.builder().baseUrl(proxy.url()).auth(Auth.bearer("alice-token"))
                     .preferWait(false).build()) {   // real time: the running task's Retry-After (2 s) between polls

            CompletableFuture<TaskView> future = polling.awaitAsync(id, Duration.ofMinutes(5));
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.received().size() >= 1);
            assertThat(future.cancel(true)).isTrue();
            int polled = proxy.received().size();

            assertThatThrownBy(future::get).isInstanceOf(CancellationException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("agent-tasks-await-") && stackMentions(t, "awaitUntil")));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                    .until(() -> proxy.received().size() == polled);
        }
        assertThat(alice.get(id).status()).isEqualTo(TaskStatus.RUNNING);
        stack.provider.release("async");
        assertThat(alice.await(id, Duration.ofSeconds(30)).status()).isEqualTo(TaskStatus.COMPLETE);
    }

    /** A header of a recorded answer (names compared in any case), or null. */
    static String responseHeader(DroppingProxy.Forwarded forwarded, String name) {
        String head = forwarded.response().substring(0, forwarded.response().indexOf("\r\n\r\n"));
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
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
