package dev.agenttasks.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.agenttasks.domain.logging.LogContext;
import dev.agenttasks.testkit.TestContext;

/**
 * The JSON lines the functions write in Lambda (this module's tests run with -Dagenttasks.log.format=json, the
 * layout Lambda gets) and the fields an invocation puts on them.
 */
class InvocationLogTest {

    private static final Logger LOG = LoggerFactory.getLogger(InvocationLogTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream original;

    @BeforeEach
    void capture() {
        original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(original);
        System.clearProperty(InvocationLog.TRACE_HEADER_PROPERTY);
        MDC.clear();
    }

    private List<JsonNode> lines() throws Exception {
        String text = captured.toString(StandardCharsets.UTF_8);
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                assertThat(line).as("one JSON object per line").startsWith("{").endsWith("}");
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void aLineInsideAnInvocationCarriesTheRequestIdFunctionVersionColdStartAndTrace() throws Exception {
        System.setProperty(InvocationLog.TRACE_HEADER_PROPERTY, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        InvocationLog invocationLog = new InvocationLog();

        invocationLog.around(TestContext.withTimeout(1_000), () -> {
            LOG.info("first");
            return null;
        });
        invocationLog.around(TestContext.withTimeout(1_000), () -> {
            LOG.warn("second");
            return null;
        });
        LOG.info("between invocations");

        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(3);
        JsonNode first = lines.get(0);
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("logger").asText()).isEqualTo(InvocationLogTest.class.getName());
        assertThat(first.path("message").asText()).isEqualTo("first");
        assertThat(first.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(first.path("aws_request_id").asText()).isEqualTo("c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
        assertThat(first.path("function_name").asText()).isEqualTo("agent-tasks-test");
        assertThat(first.path("function_version").asText()).isEqualTo("$LATEST");
        assertThat(first.path("xray_trace_id").asText()).isEqualTo("1-5759e988-bd862e3fe1be46a994272793");
        assertThat(first.path("cold_start").asText()).isEqualTo("true");
        assertThat(lines.get(1).path("cold_start").asText()).as("the sandbox's second invocation").isEqualTo("false");
        assertThat(lines.get(2).has("aws_request_id")).as("after the invocation its fields are gone").isFalse();
    }

    @Test
    void aTaskIdSetForARecordIsOnItsLinesOnlyAndTheInvocationClearsWhatIsLeft() throws Exception {
        InvocationLog invocationLog = new InvocationLog();
        invocationLog.around(TestContext.withTimeout(1_000), () -> {
            try (LogContext.Scope scope = LogContext.taskId("k5v2q7w3xj4m6n2p3r5t7v2x4z")) {
                LOG.info("about the task");
            }
            LOG.info("about the batch");
            LogContext.putTaskId("another");
            return null;
        });
        LOG.info("outside");

        List<JsonNode> lines = lines();
        assertThat(lines.get(0).path("task_id").asText()).isEqualTo("k5v2q7w3xj4m6n2p3r5t7v2x4z");
        assertThat(lines.get(1).has("task_id")).isFalse();
        assertThat(lines.get(2).has("task_id")).isFalse();
    }

    @Test
    void workOnAnotherThreadKeepsTheInvocationsFields() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            new InvocationLog().around(TestContext.withTimeout(1_000), () -> {
                try {
                    return pool.submit(InvocationLog.inCurrentContext(() -> {
                        LOG.info("on the pool");
                        return null;
                    })).get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            pool.submit(() -> LOG.info("later on the pool")).get();
        } finally {
            pool.shutdownNow();
        }

        List<JsonNode> lines = lines();
        assertThat(lines.get(0).path("aws_request_id").asText()).isEqualTo("c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
        assertThat(lines.get(1).has("aws_request_id")).as("the pool thread is clean afterwards").isFalse();
    }

    @Test
    void anExceptionIsInsideItsLineWithTypeMessageAndStackTrace() throws Exception {
        LOG.error("it broke", new IllegalStateException("first line\nsecond line", new RuntimeException("the cause")));

        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(1);
        JsonNode line = lines.get(0);
        assertThat(line.path("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(line.path("error.message").asText()).isEqualTo("first line\nsecond line");
        assertThat(line.path("error.stack_trace").asText()).contains("\tat dev.agenttasks.lambda.InvocationLogTest")
                .contains("Caused by: java.lang.RuntimeException: the cause");
    }
}
