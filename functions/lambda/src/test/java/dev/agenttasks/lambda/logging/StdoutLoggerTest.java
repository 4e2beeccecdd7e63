package dev.agenttasks.lambda.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.MarkerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The loggers as the code uses them, writing to a System.out the test puts in place. */
class StdoutLoggerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PerThreadMdc mdc = new PerThreadMdc();
    private final StdoutLoggerFactory debugJson = new StdoutLoggerFactory(LogSettings.of("json", null, "DEBUG"), mdc);
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
        MDC.clear();
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split(System.lineSeparator())) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void slf4jFindsThisProviderAndNoOther() {
        assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(StdoutLoggerFactory.class);
        assertThat(MDC.getMDCAdapter()).isInstanceOf(PerThreadMdc.class);
        assertThat(LoggerFactory.getLogger(StdoutLoggerTest.class)).isInstanceOf(StdoutLogger.class);
    }

    @Test
    void eventsBelowTheLoggersLevelAreNotWritten() throws Exception {
        Logger app = debugJson.getLogger("dev.agenttasks.domain.process.TaskProcessor");
        Logger sdk = debugJson.getLogger("software.amazon.awssdk.request");

        app.trace("not written");
        app.debug("debug {}", 1);
        sdk.info("not written either");
        sdk.warn("a retry");

        assertThat(lines()).extracting(line -> line.path("level").asText() + " " + line.path("message").asText())
                .containsExactly("DEBUG debug 1", "WARN a retry");
        assertThat(app.isTraceEnabled()).isFalse();
        assertThat(app.isDebugEnabled()).isTrue();
        assertThat(sdk.isInfoEnabled()).isFalse();
        assertThat(sdk.isWarnEnabled()).isTrue();
        assertThat(sdk.atInfo().getClass().getSimpleName()).isEqualTo("NOPLoggingEventBuilder");
    }

    @Test
    void aTrailingThrowableArgumentIsTheErrorUnlessAPlaceholderTakesIt() throws Exception {
        Logger log = debugJson.getLogger("a.B");
        IllegalStateException boom = new IllegalStateException("boom");

        log.error("task {} failed", "k5v2", boom);
        log.warn("task {}: {} failed: {}", "k5v2", "PutItem", boom);
        log.warn("task {} failed: {}", "k5v2", boom);
        log.info("failed", (Object) boom);
        log.error("no arguments {}", boom);
        log.warn("an array of one {}", new Object[] {boom});

        List<JsonNode> lines = lines();
        assertThat(lines.get(0).path("message").asText()).isEqualTo("task k5v2 failed");
        assertThat(lines.get(0).path("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(lines.get(0).path("error.stack_trace").asText()).contains("\tat dev.agenttasks.lambda.logging");
        assertThat(lines.get(1).path("message").asText())
                .isEqualTo("task k5v2: PutItem failed: java.lang.IllegalStateException: boom");
        assertThat(lines.get(1).has("error.type")).isFalse();
        assertThat(lines.get(2).path("message").asText()).isEqualTo("task k5v2 failed: java.lang.IllegalStateException: boom");
        assertThat(lines.get(2).has("error.type")).isFalse();
        assertThat(lines.get(3).path("error.message").asText()).isEqualTo("boom");
        assertThat(lines.get(4).path("message").asText()).isEqualTo("no arguments {}");
        assertThat(lines.get(4).path("error.message").asText()).isEqualTo("boom");
        assertThat(lines.get(5).path("message").asText()).isEqualTo("an array of one java.lang.IllegalStateException: boom");
        assertThat(lines.get(5).has("error.type")).isFalse();
    }

    @Test
    void mdcEntriesAreFieldsOfTheLinesOfTheirThreadOnly() throws Exception {
        Logger log = debugJson.getLogger("a.B");
        mdc.put("aws_request_id", "c6af9ac6");
        mdc.put("task_id", "k5v2");

        log.info("with fields");
        Thread child = new Thread(() -> log.info("on a thread started meanwhile"), "child");
        child.start();
        child.join();
        mdc.remove("task_id");
        log.info("without the task");
        mdc.clear();
        log.info("after clear");

        List<JsonNode> lines = lines();
        assertThat(lines.get(0).path("aws_request_id").asText()).isEqualTo("c6af9ac6");
        assertThat(lines.get(0).path("task_id").asText()).isEqualTo("k5v2");
        assertThat(lines.get(1).has("aws_request_id")).as("a new thread does not inherit them").isFalse();
        assertThat(lines.get(1).path("thread").asText()).isEqualTo("child");
        assertThat(lines.get(2).has("task_id")).isFalse();
        assertThat(lines.get(2).has("aws_request_id")).isTrue();
        assertThat(lines.get(3).has("aws_request_id")).isFalse();
    }

    @Test
    void theFluentApisKeyValuePairsAreFieldsAndMarkersAreIgnored() throws Exception {
        Logger log = debugJson.getLogger("a.B");
        mdc.put("task_id", "from the MDC");
        mdc.put("aws_request_id", "c6af9ac6");

        log.atInfo().addKeyValue("task_id", "k5v2").addKeyValue("attempt", 2).setMessage("attempt {} of {}")
                .addArgument(2).addArgument(5).log();
        log.atWarn().addMarker(MarkerFactory.getMarker("AUDIT")).setCause(new RuntimeException("x"))
                .log("with a marker");
        log.info(MarkerFactory.getMarker("AUDIT"), "classic with a marker");

        List<JsonNode> lines = lines();
        assertThat(lines.get(0).path("message").asText()).isEqualTo("attempt 2 of 5");
        assertThat(lines.get(0).path("task_id").asText()).isEqualTo("k5v2");
        assertThat(lines.get(0).path("attempt").asText()).isEqualTo("2");
        assertThat(lines.get(0).path("aws_request_id").asText()).isEqualTo("c6af9ac6");
        assertThat(lines.get(1).path("message").asText()).isEqualTo("with a marker");
        assertThat(lines.get(1).path("error.message").asText()).isEqualTo("x");
        assertThat(lines.get(2).path("message").asText()).isEqualTo("classic with a marker");
        assertThat(mdc.get("task_id")).as("the pairs do not touch the MDC").isEqualTo("from the MDC");
    }

    @Test
    void eachLineGoesToSystemOutAsItIsWhenTheLineIsWritten() {
        Logger log = debugJson.getLogger("a.B");
        ByteArrayOutputStream second = new ByteArrayOutputStream();

        log.info("first");
        System.setOut(new PrintStream(second, true, StandardCharsets.UTF_8));
        log.info("second");

        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("\"first\"").doesNotContain("\"second\"");
        assertThat(second.toString(StandardCharsets.UTF_8)).contains("\"second\"").doesNotContain("\"first\"");
    }

    @Test
    void manyThreadsLoggingAtOnceWriteEachLineWholeInOneWrite() throws Exception {
        List<byte[]> writes = Collections.synchronizedList(new ArrayList<>());
        System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void write(byte[] buf, int off, int len) {
                writes.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            }

            @Override
            public void write(int b) {
                throw new AssertionError("a byte written on its own");
            }
        });
        Logger log = debugJson.getLogger("a.B");
        int threads = 16;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    mdc.put("thread_no", Integer.toString(thread));
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        log.info("line {} of thread {}: {}", i, thread, "x".repeat(i % 97) + "\n\"é");
                        if (i % 50 == 0) {
                            log.warn("with a trace", new IllegalStateException("at " + i));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(writes).hasSize(threads * (perThread + perThread / 50));
        Set<String> seen = new HashSet<>();
        for (byte[] write : writes) {
            String line = new String(write, StandardCharsets.UTF_8);
            assertThat(line).endsWith(System.lineSeparator());
            assertThat(line.indexOf('\n')).as("one line per write").isEqualTo(line.length() - 1);
            JsonNode node = JSON.readTree(line);
            if (node.path("level").asText().equals("INFO")) {
                String message = node.path("message").asText();
                assertThat(message).startsWith("line ").endsWith("\n\"é")
                        .contains(" of thread " + node.path("thread_no").asText() + ": ");
                seen.add(message.substring(0, message.indexOf(':')));
            } else {
                assertThat(node.path("error.stack_trace").asText()).contains("IllegalStateException: at ");
            }
        }
        assertThat(seen).hasSize(threads * perThread);
    }

    @Test
    void aThrowableThatFailsToPrintDoesNotFailTheCodeThatLogs() throws Exception {
        Logger log = debugJson.getLogger("a.B");
        RuntimeException broken = new RuntimeException() {
            private static final long serialVersionUID = 1L;

            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("no message today");
            }
        };

        assertThatCode(() -> log.error("something failed", broken)).doesNotThrowAnyException();

        JsonNode line = lines().get(0);
        assertThat(line.path("message").asText()).startsWith("something failed [could not lay out the event: ")
                .contains("no message today");
        assertThat(line.path("level").asText()).isEqualTo("ERROR");
    }

    @Test
    void theMdcsCopyIsACopyAndSettingAMapReplacesTheFields() {
        mdc.put("a", "1");
        Map<String, String> copy = mdc.getCopyOfContextMap();
        copy.put("b", "2");
        mdc.setContextMap(Map.of("c", "3"));

        assertThat(copy).containsOnlyKeys("a", "b");
        assertThat(mdc.current()).containsExactly(Map.entry("c", "3"));
        mdc.setContextMap(Map.of());
        assertThat(mdc.getCopyOfContextMap()).isNull();
        mdc.pushByKey("stack", "x");
        assertThat(mdc.popByKey("stack")).isEqualTo("x");
    }
}
