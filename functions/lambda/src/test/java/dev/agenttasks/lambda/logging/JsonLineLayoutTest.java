package dev.agenttasks.lambda.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class JsonLineLayoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2026-11-28T10:00:01.234Z */
    private static final long AT = 1_795_860_001_234L;

    private final JsonLineLayout layout = new JsonLineLayout();

    private static LogEvent event(String message, Map<String, String> fields, Throwable throwable) {
        return new LogEvent(AT, Level.INFO, "dev.agenttasks.domain.process.TaskProcessor", "task-worker", message,
                fields, throwable);
    }

    /** The line as the UTF-8 bytes written to standard output would read back. */
    private JsonNode parse(String line) throws Exception {
        assertThat(line).endsWith(System.lineSeparator());
        String written = new String(line.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(written.strip()).as("one line").doesNotContain("\n").doesNotContain("\r");
        return JSON.readTree(written);
    }

    @Test
    void anEventWithoutThrowableHasTheFiveFieldsInOrderAndNoErrorFields() throws Exception {
        String line = layout.format(event("task k5v2 complete", Map.of(), null));

        assertThat(line).isEqualTo("{\"timestamp\":\"2026-11-28T10:00:01.234Z\",\"level\":\"INFO\","
                + "\"logger\":\"dev.agenttasks.domain.process.TaskProcessor\",\"thread\":\"task-worker\","
                + "\"message\":\"task k5v2 complete\"}" + System.lineSeparator());
        Iterator<String> names = parse(line).fieldNames();
        assertThat(names).toIterable().containsExactly("timestamp", "level", "logger", "thread", "message");
    }

    @Test
    void quotesBackslashesControlCharactersAndNonAsciiSurviveTheRoundTrip() throws Exception {
        String message = "say \"hi\" \\ C:\\tmp\nsecond\r\tthird \b\f \u0000 \u0001 \u001f \u007f é 日本 😀 </script>";

        String line = layout.format(event(message, Map.of(), null));

        assertThat(parse(line).path("message").asText()).isEqualTo(message);
        assertThat(line).contains("\\\"hi\\\"", "\\\\ C:\\\\tmp\\nsecond\\r\\tthird \\b\\f \\u0000 \\u0001 \\u001F",
                "é 日本 😀");
    }

    @Test
    void aLoneSurrogateBecomesAQuestionMarkAndTheLineStillParses() throws Exception {
        String line = layout.format(event("high \ud800 low \udc00 pair \ud83d\ude00", Map.of(), null));

        assertThat(parse(line).path("message").asText()).isEqualTo("high ? low ? pair 😀");
    }

    @Test
    void everyMdcEntryIsATopLevelStringFieldAndNullStaysNull() throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("aws_request_id", "c6af9ac6");
        fields.put("task_id", "k5v2");
        fields.put("quote\"key", "line\nbreak");
        fields.put("empty", "");
        fields.put("unset", null);

        JsonNode line = parse(layout.format(event("m", fields, null)));

        assertThat(line.path("aws_request_id").asText()).isEqualTo("c6af9ac6");
        assertThat(line.path("task_id").asText()).isEqualTo("k5v2");
        assertThat(line.path("quote\"key").asText()).isEqualTo("line\nbreak");
        assertThat(line.path("empty").isTextual()).isTrue();
        assertThat(line.get("unset").isNull()).isTrue();
    }

    @Test
    void anMdcEntryNamedLikeAFixedFieldIsLeftOutSoNoKeyRepeats() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("message", "from the MDC");
        fields.put("level", "DEBUG");
        fields.put("error.type", "x");
        fields.put("task_id", "k5v2");

        String line = layout.format(event("the message", fields, null));

        assertThat(line).contains("\"message\":\"the message\"", "\"level\":\"INFO\"", "\"task_id\":\"k5v2\"")
                .doesNotContain("from the MDC", "DEBUG", "error.type");
    }

    @Test
    void aThrowableGivesItsClassMessageAndWholeStackTraceWithCauseAndSuppressed() throws Exception {
        IllegalStateException error = new IllegalStateException("first \"line\"\nsecond",
                new java.io.IOException("the cause"));
        error.addSuppressed(new IllegalArgumentException("closing failed"));

        JsonNode line = parse(layout.format(event("it broke", Map.of("task_id", "k5v2"), error)));

        assertThat(line.path("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(line.path("error.message").asText()).isEqualTo("first \"line\"\nsecond");
        assertThat(line.path("error.stack_trace").asText()).isEqualTo(StackTrace.of(error))
                .startsWith("java.lang.IllegalStateException: first \"line\"\nsecond" + System.lineSeparator()
                        + "\tat dev.agenttasks.lambda.logging.JsonLineLayoutTest")
                .contains("\tSuppressed: java.lang.IllegalArgumentException: closing failed")
                .contains("Caused by: java.io.IOException: the cause");
        assertThat(line.path("task_id").asText()).isEqualTo("k5v2");
    }

    @Test
    void aThrowableWithoutMessageHasANullMessageAndANestedClassItsBinaryName() throws Exception {
        JsonNode line = parse(layout.format(event("m", Map.of(), new Nested())));

        assertThat(line.path("error.type").asText()).isEqualTo(Nested.class.getName()).contains("$Nested");
        assertThat(line.get("error.message").isNull()).isTrue();
    }

    private static final class Nested extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
