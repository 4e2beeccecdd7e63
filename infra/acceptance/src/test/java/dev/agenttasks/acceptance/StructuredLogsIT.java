package dev.agenttasks.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.metrics.EmfSpecification;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.testkit.TestContext;
import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.worker.WorkerHandler;

/**
 * What the functions write to standard output while they run (what Lambda ships to CloudWatch Logs), with the
 * logging configuration the jars carry in its Lambda form (JSON): {@link ServiceFlow} with a known prompt, result,
 * API key and caller signature, then a worker record that fails unexpectedly.
 */
class StructuredLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<JsonNode> LINES = new ArrayList<>();
    private static final List<String> RAW = new ArrayList<>();
    private static ServiceFlow.Outcome outcome;

    @BeforeAll
    static void captureTheFunctionsOutput() throws Exception {
        WireMockServer provider = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        provider.start();
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Map<String, String> env = MotoEnvironment.fresh();
            outcome = ServiceFlow.run(env, provider);
            failUnexpectedly(env);
        } finally {
            System.setOut(original);
            provider.stop();
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        for (String line : ServiceFlow.lines(text)) {
            RAW.add(line);
            LINES.add(JSON.readTree(line));
        }
    }

    /** A worker whose table does not exist: its record fails with an exception the log must carry whole. */
    private static void failUnexpectedly(Map<String, String> env) {
        Map<String, String> broken = new HashMap<>(env);
        broken.put("TASKS_TABLE", "no-such-table");
        broken.put("LLM_PROVIDER", "simulated");
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId("message-that-fails");
        record.setReceiptHandle("receipt-that-fails");
        record.setBody(TaskMessages.body("aaaaaaaaaaaaaaaaaaaaaaaaaa"));
        record.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(record));
        new WorkerHandler(new ServiceWiring(Config.of(broken), Clock.systemUTC()))
                .handleRequest(event, TestContext.withTimeout(ServiceFlow.WORKER_TIMEOUT_MILLIS));
    }

    @AfterAll
    static void forget() {
        LINES.clear();
        RAW.clear();
    }

    private static List<JsonNode> logLines() {
        return LINES.stream().filter(line -> line.has("level")).toList();
    }

    @Test
    void everyLineIsOneJsonObjectEitherALogEventOrAValidMetricsLine() {
        assertThat(RAW).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
        assertThat(LINES).allSatisfy(line -> {
            if (line.has("_aws")) {
                assertThat(EmfSpecification.violations(line.toString())).isEmpty();
            } else {
                assertThat(line.has("timestamp") && line.has("level") && line.has("logger") && line.has("message"))
                        .as("a log event: %s", line).isTrue();
            }
        });
        assertThat(LINES).filteredOn(line -> line.has("_aws")).extracting(line -> line.path("Service").asText())
                .isNotEmpty().containsOnly("agent-tasks");
    }

    @Test
    void linesWrittenDuringAnInvocationCarryItsRequestIdFunctionAndColdStart() {
        List<JsonNode> fromFunctions = logLines().stream().filter(line -> line.has("aws_request_id")).toList();
        assertThat(fromFunctions).isNotEmpty().allSatisfy(line -> {
            assertThat(line.path("aws_request_id").asText()).isEqualTo(TestContext.withTimeout(1).getAwsRequestId());
            assertThat(line.path("function_name").asText()).isEqualTo("agent-tasks-test");
            assertThat(line.path("cold_start").asText()).isIn("true", "false");
        });
        assertThat(logLines()).filteredOn(line -> line.path("logger").asText().startsWith("dev.agenttasks.domain.process"))
                .as("the worker's lines").isNotEmpty()
                .allSatisfy(line -> assertThat(line.has("aws_request_id")).as("%s", line).isTrue());
    }

    @Test
    void theWorkersLinesAboutATaskCarryItsTaskId() {
        assertThat(logLines()).filteredOn(line -> line.path("message").asText().contains(": released after "))
                .singleElement().satisfies(line -> {
                    assertThat(line.path("task_id").asText()).isEqualTo(outcome.rateLimitedTaskId());
                    assertThat(line.path("thread").asText()).isEqualTo("task-worker");
                });
        assertThat(logLines()).filteredOn(line -> line.path("message").asText().endsWith(" complete"))
                .singleElement().satisfies(line -> assertThat(line.path("task_id").asText()).isEqualTo(outcome.taskId()));
        assertThat(logLines()).filteredOn(line -> line.path("logger").asText().endsWith("Reconciler")
                        && line.path("message").asText().contains(outcome.leftPendingTaskId()))
                .isNotEmpty();
    }

    @Test
    void aStackTraceStaysInsideItsJsonObject() {
        assertThat(logLines()).filteredOn(line -> line.path("message").asText().contains("failed unexpectedly"))
                .singleElement().satisfies(line -> {
                    assertThat(line.path("level").asText()).isEqualTo("ERROR");
                    assertThat(line.path("task_id").asText()).isEqualTo("aaaaaaaaaaaaaaaaaaaaaaaaaa");
                    assertThat(line.path("error.type").asText()).isNotBlank();
                    assertThat(line.path("error.stack_trace").asText()).contains("\n\tat ");
                });
        assertThat(RAW).noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by"));
    }

    @Test
    void noLineCarriesThePromptTheResultTheApiKeyOrTheCallersCredentials() {
        assertThat(RAW).isNotEmpty().allSatisfy(line -> {
            for (String secret : ServiceFlow.SECRETS) {
                assertThat(line).as("a log line").doesNotContain(secret);
            }
        });
    }
}
