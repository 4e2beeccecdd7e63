package dev.agenttasks.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.agenttasks.client.AgentTasksClient;
import dev.agenttasks.client.Auth;
import dev.agenttasks.client.StandInStack;
import dev.agenttasks.client.SubmitRequest;
import dev.agenttasks.client.TaskStatus;

/**
 * The CLI in-process against the whole local stack whose worker calls a provider stand-in
 * ({@link StandInStack}): what it prints for a task held pending, a running one asked to stop, a finished one
 * that refuses, a webhook's delivery, and the caller's webhook secret.
 */
class AgentTasksCliStandInIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static StandInStack stack;
    private static AgentTasksClient carol;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void start() {
        stack = StandInStack.start("carol-token=carol,dan-token=dan");
        carol = AgentTasksClient.builder().baseUrl(stack.url()).auth(Auth.bearer("carol-token")).build();
    }

    @AfterAll
    static void stop() {
        if (carol != null) {
            carol.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static Run cliAs(String token, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new AgentTasksCli(Map.of("AGENT_TASKS_URL", stack.url().toString(), "AGENT_TASKS_TOKEN", token),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run cli(String... args) {
        return cliAs("carol-token", args);
    }

    private static String line(String output, String field) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(field) + " +(.*)$").matcher(output);
        assertThat(matcher.find()).as("%s in%n%s", field, output).isTrue();
        return matcher.group(1);
    }

    @Test
    void webhookSecretPrintsTheCallersOwnSecret() throws Exception {
        Run plain = cli("webhook-secret");
        Run asJson = cli("--json", "webhook-secret");
        Run dans = cliAs("dan-token", "webhook-secret");
        Run stray = cli("webhook-secret", "extra");
        Run stranger = cliAs("stolen", "webhook-secret");

        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(plain.out().strip()).isEqualTo(carol.webhookSecret()).startsWith("whsec_");
        assertThat(JSON.readTree(asJson.out()).get("secret").asText()).isEqualTo(carol.webhookSecret());
        assertThat(dans.out().strip()).startsWith("whsec_").isNotEqualTo(plain.out().strip());
        assertThat(stray.exitCode()).isEqualTo(AgentTasksCli.USAGE);
        assertThat(stranger.exitCode()).isEqualTo(AgentTasksCli.API_REFUSED);
        assertThat(stranger.err()).startsWith("agent-tasks: HTTP 401 unauthenticated");
    }

    @Test
    void aPendingTaskShowsWhyItWaitsTimesOutAWaitAndIsCancelledAtOnce() {
        StandInStack.Held held = stack.heldTask(carol, "held-c", "What is a held task?");
        String id = held.task().taskId();

        Run shown = cli("get", id);
        Run waited = cli("get", id, "--wait", "--timeout", "1");
        Run cancelled = cli("cancel", id);
        Run primer = cli("cancel", held.primerId());

        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(line(shown.out(), "status")).isEqualTo("pending");
        assertThat(line(shown.out(), "tier")).isEqualTo("held-c");
        assertThat(line(shown.out(), "waiting")).startsWith("rate_limited (" + StandInStack.model("held-c") + ") until ");
        assertThat(waited.exitCode()).isEqualTo(AgentTasksCli.WAIT_TIMED_OUT);
        assertThat(line(waited.out(), "status")).isEqualTo("pending");
        assertThat(waited.err()).contains("it goes on (agent-tasks get " + id + ")");
        assertThat(cancelled.exitCode()).as(cancelled.err()).isZero();
        assertThat(line(cancelled.out(), "status")).isEqualTo("cancelled");
        assertThat(line(primer.out(), "cancel_requested_at")).isNotBlank();
        assertThat(carol.await(held.primerId(), Duration.ofSeconds(30)).status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(stack.provider.callsFor("What is a held task? (held)")).isEmpty();
    }

    @Test
    void aRunningTaskIsAskedToStopAndAFinishedOneRefusesToBeCancelled() {
        String task = "Explain cancellation. [hold:cli-running]";
        String id = carol.submit(SubmitRequest.builder(task).tier(StandInStack.FAST).build())
                .task().taskId();
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.provider.callsFor(task).size() == 1);

        Run asked = cli("cancel", id);
        Run stopped = cli("get", id, "--wait", "--timeout", "30");
        stack.provider.release("cli-running");
        Run done = cli("submit", "--wait", "--timeout", "30", "--tier", StandInStack.FAST, "What is a receipt?");
        String doneId = line(done.out(), "task_id");
        Run refused = cli("cancel", doneId);
        Run notYours = cliAs("dan-token", "cancel", doneId);

        assertThat(asked.exitCode()).as(asked.err()).isZero();
        assertThat(line(asked.out(), "status")).isEqualTo("running");
        assertThat(asked.out()).contains("(cancellation requested: the task stops at its next step)");
        assertThat(stopped.exitCode()).isEqualTo(AgentTasksCli.TASK_UNSUCCESSFUL);
        assertThat(line(stopped.out(), "status")).isEqualTo("cancelled");
        assertThat(done.exitCode()).as(done.err()).isZero();
        assertThat(done.out()).contains("[stand-in stand-in-fast] Answer to: What is a receipt?");
        assertThat(refused.exitCode()).isEqualTo(AgentTasksCli.API_REFUSED);
        assertThat(refused.err()).startsWith("agent-tasks: HTTP 409 task-not-cancellable");
        assertThat(notYours.exitCode()).isEqualTo(AgentTasksCli.API_REFUSED);
        assertThat(notYours.err()).startsWith("agent-tasks: HTTP 404 task-not-found");
    }

    @Test
    void aTaskWithACallbackShowsItsWebhooksDelivery() throws IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        receiver.createContext("/hooks", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(204, -1);
            }
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
            Run submitted = cli("--json", "submit", "--wait", "--timeout", "30", "--tier", StandInStack.FAST,
                    "--callback-url", url, "What is a webhook?");
            JsonNode task = JSON.readTree(submitted.out());
            String id = task.get("task_id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    carol.get(id).callback().map(callback -> callback.status().equals("delivered")).orElse(false));

            Run shown = cli("get", id);

            assertThat(submitted.exitCode()).as(submitted.err()).isZero();
            assertThat(task.get("callback").get("url").asText()).isEqualTo(url);
            assertThat(line(shown.out(), "callback")).isEqualTo("delivered after 1 attempt(s): " + url);
        } finally {
            receiver.stop(0);
        }
    }
}
