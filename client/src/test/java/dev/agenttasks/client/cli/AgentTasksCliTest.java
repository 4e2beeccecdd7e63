package dev.agenttasks.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.agenttasks.client.FakeAgentTasksApi;

/**
 * The CLI in-process against a real HTTP server serving the documented API (cancel, list and Prefer
 * included): what it prints, and the exit code scripts get.
 */
class AgentTasksCliTest {

    private FakeAgentTasksApi api;
    private final Map<String, String> env = new HashMap<>();

    record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void start() throws IOException {
        api = new FakeAgentTasksApi();
        env.put("AGENT_TASKS_URL", api.url().toString());
        env.put("AGENT_TASKS_TOKEN", "alice");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private Run run(String... args) {
        return runWithInput("", args);
    }

    private Run runWithInput(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new AgentTasksCli(env, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String idIn(String text) {
        Matcher matcher = Pattern.compile("t\\d{25}").matcher(text);
        assertThat(matcher.find()).as(text).isTrue();
        return matcher.group();
    }

    @Test
    void helpDocumentsEveryOptionAndEveryExitCode() {
        Run help = run("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).isEqualTo(AgentTasksCli.HELP);
        for (String option : List.of("--url", "--token", "--sigv4", "--json", "--help", "--wait", "--timeout", "--system",
                "--tier", "--max-tokens", "--max-total-tokens", "--callback-url", "--idempotency-key", "--status", "--limit",
                "AGENT_TASKS_URL", "AGENT_TASKS_TOKEN")) {
            assertThat(help.out()).as(option).contains(option);
        }
        for (int code = 0; code <= 5; code++) {
            assertThat(help.out()).containsPattern("(?m)^  " + code + "  \\S");
        }
        assertThat(run("get", "-h").out()).isEqualTo(AgentTasksCli.HELP);
    }

    @Test
    void submitPrintsTheNewTaskAndSendsEveryOption() {
        Run submitted = run("submit", "Summarise RFC 9457.", "--system", "Be terse.", "--tier=fast", "--max-tokens", "256",
                "--max-total-tokens", "4096", "--callback-url", "https://example.com/hook", "--idempotency-key", "order-42");

        assertThat(submitted.exitCode()).isZero();
        assertThat(submitted.out()).contains("task_id      " + idIn(submitted.out())).contains("status       pending");
        FakeAgentTasksApi.Recorded post = api.requests("POST", "/tasks").get(0);
        assertThat(post.header("Idempotency-Key")).isEqualTo("\"order-42\"");
        assertThat(post.header("Authorization")).isEqualTo("Bearer alice");
        assertThat(post.body()).isEqualTo("{\"task\":\"Summarise RFC 9457.\",\"system\":\"Be terse.\",\"tier\":\"fast\","
                + "\"max_tokens\":256,\"max_total_tokens\":4096,\"callback_url\":\"https://example.com/hook\"}");

        Run replayed = run("submit", "Summarise RFC 9457.", "--system", "Be terse.", "--tier=fast", "--max-tokens", "256",
                "--max-total-tokens", "4096", "--callback-url", "https://example.com/hook", "--idempotency-key", "order-42");
        assertThat(replayed.out()).contains("(an earlier request with this idempotency key made this task)");
        assertThat(api.taskCount()).isEqualTo(1);
    }

    @Test
    void submitReadsTheTaskFromStandardInputAndPrintsJsonOnRequest() throws Exception {
        Run submitted = runWithInput("A task\nover two lines\n", "--json", "submit", "-");

        JsonNode json = new ObjectMapper().readTree(submitted.out());
        assertThat(submitted.exitCode()).isZero();
        assertThat(json.get("status").asText()).isEqualTo("pending");
        assertThat(api.requests("POST", "/tasks").get(0).body()).isEqualTo("{\"task\":\"A task\\nover two lines\\n\"}");
    }

    @Test
    void submitWaitExitsZeroWhenTheTaskCompletesAndOneWhenItFails() {
        CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> api.taskCount() == 1);
            api.finish(FakeAgentTasksApi.id(1), "complete", "The answer.");
        });
        Run complete = run("submit", "--wait", "What is a lease?");
        CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> api.taskCount() == 2);
            api.finish(FakeAgentTasksApi.id(2), "failed", null);
        });
        Run failed = run("submit", "What is a lease, again?", "--wait", "--timeout", "30");

        assertThat(complete.exitCode()).as(complete.err()).isEqualTo(AgentTasksCli.OK);
        assertThat(complete.out()).contains("status       complete").endsWith("\nThe answer.\n");
        assertThat(api.requests("POST", "/tasks").get(0).header("Prefer")).isEqualTo("wait=20");
        assertThat(failed.exitCode()).isEqualTo(AgentTasksCli.TASK_UNSUCCESSFUL);
        assertThat(failed.out()).contains("status       failed").contains("error        attempts_exhausted: the provider kept failing");
    }

    @Test
    void getShowsATaskAndItsOutcomeDecidesTheExitCode() {
        String done = api.addTask("Bearer alice", "complete");
        String cancelled = api.addTask("Bearer alice", "cancelled");
        String pending = api.addTask("Bearer alice", "pending");

        assertThat(run("get", done).exitCode()).isEqualTo(AgentTasksCli.OK);
        assertThat(run("get", cancelled).exitCode()).isEqualTo(AgentTasksCli.TASK_UNSUCCESSFUL);
        Run stillPending = run("get", pending);
        assertThat(stillPending.exitCode()).isEqualTo(AgentTasksCli.OK);
        assertThat(stillPending.out()).contains("status       pending");
    }

    @Test
    void aWaitThatTimesOutExitsFiveAndSaysTheTaskGoesOn() {
        String pending = api.addTask("Bearer alice", "pending");
        api.retryAfter("1");

        Run timedOut = run("get", pending, "--wait", "--timeout", "1");

        assertThat(timedOut.exitCode()).isEqualTo(AgentTasksCli.WAIT_TIMED_OUT);
        assertThat(timedOut.err()).contains("task " + pending + " was still pending after PT1S; it goes on (agent-tasks get "
                + pending + ")");
        assertThat(timedOut.out()).contains("status       pending");
    }

    @Test
    void cancelPrintsTheOutcomeAndRefusalsExitThreeWithTheProblem() throws Exception {
        String pending = api.addTask("Bearer alice", "pending");
        String running = api.addTask("Bearer alice", "running");
        String complete = api.addTask("Bearer alice", "complete");

        Run cancelled = run("cancel", pending);
        Run asked = run("cancel", running);
        Run refused = run("cancel", complete);
        Run refusedJson = run("--json", "cancel", complete);

        assertThat(cancelled.exitCode()).isZero();
        assertThat(cancelled.out()).contains("status       cancelled");
        assertThat(asked.exitCode()).isZero();
        assertThat(asked.out()).contains("cancel_requested_at 2026-01-01T00:00:05Z")
                .contains("(cancellation requested: the task stops at its next step)");
        assertThat(refused.exitCode()).isEqualTo(AgentTasksCli.API_REFUSED);
        assertThat(refused.err()).startsWith("agent-tasks: HTTP 409 task-not-cancellable: task " + complete + " is complete");
        assertThat(new ObjectMapper().readTree(refusedJson.out()).get("type").asText())
                .isEqualTo("urn:agent-tasks:problem:task-not-cancellable");
    }

    @Test
    void listPrintsATableFollowingCursorsUpToTheLimit() throws Exception {
        for (int i = 0; i < 130; i++) {
            api.addTask("Bearer alice", i % 2 == 0 ? "complete" : "failed");
        }

        Run some = run("list", "--limit", "3");
        Run many = run("--json", "list", "--limit", "120", "--status", "complete");
        Run none = run("list", "--status", "running");

        assertThat(some.exitCode()).isZero();
        assertThat(some.out().lines().toList()).hasSize(5).first().asString().startsWith("TASK_ID");
        assertThat(some.out()).contains(FakeAgentTasksApi.id(130)).contains("(more: --limit 6)");
        JsonNode page = new ObjectMapper().readTree(many.out());
        assertThat(page.get("tasks")).hasSize(65);
        assertThat(page.get("next_cursor").isNull()).isTrue();
        assertThat(api.requests("GET", "/tasks?")).extracting(FakeAgentTasksApi.Recorded::path)
                .contains("/tasks?status=complete&limit=100");
        assertThat(none.out()).isEqualTo("no tasks\n");
    }

    @Test
    void usageErrorsExitTwo() {
        for (String[] args : List.of(new String[] {}, new String[] {"frobnicate"}, new String[] {"submit"},
                new String[] {"get"}, new String[] {"get", "a", "b"}, new String[] {"list", "--limit", "0"},
                new String[] {"list", "--status", "paused"}, new String[] {"get", "x", "--tier", "fast"},
                new String[] {"submit", "x", "--timeout", "5"}, new String[] {"submit", "x", "--idempotency-key", "naïve"},
                new String[] {"--url", "ftp://x", "get", "x"}, new String[] {"get", "x", "--bogus"},
                new String[] {"get", "x", "--url"}, new String[] {"--sigv4", "eu-west-1", "get", "x"})) {
            Run run = run(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(AgentTasksCli.USAGE);
            assertThat(run.err()).as(String.join(" ", args)).contains("agent-tasks");
        }
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void anUnreachableOrFailingApiExitsFourAndASubmitSaysWhichKeyToResend() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        api.failNext(5, FakeAgentTasksApi.Failure.problem(503, "service-unavailable", "0"));

        Run failing = run("get", api.addTask("Bearer alice", "pending"));
        Run unreachable = run("--url", "http://127.0.0.1:" + closedPort, "submit", "x", "--idempotency-key", "k-1");

        assertThat(failing.exitCode()).isEqualTo(AgentTasksCli.API_UNAVAILABLE);
        assertThat(failing.err()).startsWith("agent-tasks: HTTP 503 service-unavailable");
        assertThat(unreachable.exitCode()).isEqualTo(AgentTasksCli.API_UNAVAILABLE);
        assertThat(unreachable.err()).contains("no answer from http://127.0.0.1:" + closedPort + "/tasks after 5 attempts")
                .contains("resend with --idempotency-key 'k-1'");
    }

    @Test
    void sigV4SignsWithTheEnvironmentsCredentials() {
        env.remove("AGENT_TASKS_TOKEN");
        env.put("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        env.put("AWS_SECRET_ACCESS_KEY", "secret");

        run("--sigv4", "eu-west-1", "get", "t0000000000000000000000001");

        assertThat(api.requests("GET", "/tasks/").get(0).header("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/").contains("/eu-west-1/execute-api/aws4_request");
    }
}
