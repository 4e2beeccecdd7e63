package dev.agenttasks.lambda.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TimeZone;

import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class TextLineLayoutTest {

    /** 2026-11-28T10:00:01.234Z */
    private static final long AT = 1_795_860_001_234L;
    private static final String NL = System.lineSeparator();

    private static LogEvent event(Level level, String logger, Map<String, String> fields, Throwable throwable) {
        return new LogEvent(AT, level, logger, "main", "task k5v2 complete", fields, throwable);
    }

    @Test
    void aLineIsTimeLevelPaddedToFiveFunctionNameSimpleLoggerNameAndMessage() {
        TextLineLayout layout = new TextLineLayout(TimeZone.getTimeZone("UTC"));

        assertThat(layout.format(event(Level.INFO, "dev.agenttasks.domain.process.TaskProcessor",
                Map.of("function_name", "WorkerFunction", "task_id", "k5v2"), null)))
                .isEqualTo("10:00:01.234 INFO  [WorkerFunction] TaskProcessor - task k5v2 complete" + NL);
        assertThat(layout.format(event(Level.ERROR, "NoPackage", Map.of(), null)))
                .isEqualTo("10:00:01.234 ERROR NoPackage - task k5v2 complete" + NL);
        assertThat(layout.format(event(Level.WARN, "a.B", Map.of("function_name", ""), null)))
                .as("an empty function name is left out").isEqualTo("10:00:01.234 WARN  B - task k5v2 complete" + NL);
    }

    @Test
    void theTimeIsInTheGivenZone() {
        assertThat(new TextLineLayout(TimeZone.getTimeZone("Asia/Kolkata")).format(event(Level.DEBUG, "a.B", Map.of(), null)))
                .startsWith("15:30:01.234 DEBUG B - ");
        assertThat(new TextLineLayout(TimeZone.getTimeZone("America/Los_Angeles")).format(event(Level.TRACE, "a.B", Map.of(), null)))
                .startsWith("02:00:01.234 TRACE B - ");
    }

    @Test
    void aStackTraceFollowsOnTheNextLines() {
        RuntimeException error = new RuntimeException("boom", new IllegalStateException("the cause"));

        String text = new TextLineLayout(TimeZone.getTimeZone("UTC")).format(event(Level.ERROR, "a.B", Map.of(), error));

        assertThat(text).isEqualTo("10:00:01.234 ERROR B - task k5v2 complete" + NL + StackTrace.of(error));
        assertThat(text).contains(NL + "java.lang.RuntimeException: boom" + NL + "\tat ")
                .contains("Caused by: java.lang.IllegalStateException: the cause").endsWith(NL);
    }
}
