package dev.agenttasks.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.agenttasks.client.StandInStack;
import dev.agenttasks.local.AgentTasksLocal;
import dev.agenttasks.localaws.SharedMotoServer;

/** {@code java -jar client/target/agent-tasks-cli.jar} as a user runs it, against the whole local stack. */
class AgentTasksCliIT {

    private static final Path JAR = Path.of("target", "agent-tasks-cli.jar").toAbsolutePath();
    private static AgentTasksLocal stack;
    private static String url;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void start() {
        Map<String, String> env = StandInStack.environment("cli-token=carol");
        env.put("SIMULATED_LATENCY_MS", "20");
        SharedMotoServer.get().reset();
        stack = AgentTasksLocal.start(env);
        url = "http://127.0.0.1:" + stack.port();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static Run cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("cli-out-", ".txt");
        Path err = Files.createTempFile("cli-err-", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("AGENT_TASKS_URL", url);
        builder.environment().put("AGENT_TASKS_TOKEN", "cli-token");
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        Run run = new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    @Test
    void theJarPrintsItsHelp() throws Exception {
        Run help = cli("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).isEqualTo(AgentTasksCli.HELP);
    }

    @Test
    void submitWaitPrintsTheResultAndExitsZero() throws Exception {
        Run run = cli("submit", "--wait", "--timeout", "60", "What is a lease?");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("status       complete").contains("model        llama-3.1-8b-instant")
                .contains("[simulated llama-3.1-8b-instant]");
    }

    @Test
    void aTaskThatFailsExitsOneAndJsonIsTheApisOwn() throws Exception {
        Run failed = cli("--json", "submit", "--wait", "Explain leases [fail-permanently]");

        JsonNode task = new ObjectMapper().readTree(failed.out());
        assertThat(failed.exitCode()).as(failed.err()).isEqualTo(AgentTasksCli.TASK_UNSUCCESSFUL);
        assertThat(task.get("status").asText()).isEqualTo("failed");
        assertThat(task.get("error").get("code").asText()).isNotBlank();

        Run again = cli("--json", "get", task.get("task_id").asText());
        assertThat(again.exitCode()).isEqualTo(AgentTasksCli.TASK_UNSUCCESSFUL);
        assertThat(new ObjectMapper().readTree(again.out())).isEqualTo(task);
    }

    @Test
    void refusalsExitThreeAndAnUnreachableApiExitsFour() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        Run notFound = cli("get", "aaaaaaaaaaaaaaaaaaaaaaaaaa");
        Run unauthenticated = cli("--token", "stolen", "get", "aaaaaaaaaaaaaaaaaaaaaaaaaa");
        Run invalid = cli("submit", "x", "--max-tokens", "999999");
        Run unreachable = cli("--url", "http://127.0.0.1:" + closedPort, "get", "aaaaaaaaaaaaaaaaaaaaaaaaaa");

        assertThat(notFound.exitCode()).isEqualTo(AgentTasksCli.API_REFUSED);
        assertThat(notFound.err()).startsWith("agent-tasks: HTTP 404 task-not-found");
        assertThat(unauthenticated.exitCode()).isEqualTo(AgentTasksCli.API_REFUSED);
        assertThat(unauthenticated.err()).startsWith("agent-tasks: HTTP 401 unauthenticated");
        assertThat(invalid.exitCode()).isEqualTo(AgentTasksCli.API_REFUSED);
        assertThat(invalid.err()).contains("validation-failed").contains("/max_tokens must be a whole number from 1 to 8192");
        assertThat(unreachable.exitCode()).isEqualTo(AgentTasksCli.API_UNAVAILABLE);
        assertThat(unreachable.err()).contains("no answer from http://127.0.0.1:" + closedPort);
    }
}
