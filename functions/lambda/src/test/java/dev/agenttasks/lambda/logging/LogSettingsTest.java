package dev.agenttasks.lambda.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class LogSettingsTest {

    @Test
    void insideLambdaTheLinesAreJsonAndElsewhereText() {
        assertThat(LogSettings.of(null, "agent-tasks-worker", null).format()).isEqualTo(LogFormat.JSON);
        assertThat(LogSettings.of(null, "", null).format()).as("set, even empty").isEqualTo(LogFormat.JSON);
        assertThat(LogSettings.of(null, null, null).format()).isEqualTo(LogFormat.TEXT);
    }

    @Test
    void theSystemPropertyOverridesTheChoiceAndAnyOtherValueIsIgnored() {
        assertThat(LogSettings.of("json", null, null).format()).isEqualTo(LogFormat.JSON);
        assertThat(LogSettings.of("text", "agent-tasks-worker", null).format()).isEqualTo(LogFormat.TEXT);
        assertThat(LogSettings.of("xml", "agent-tasks-worker", null).format()).isEqualTo(LogFormat.JSON);
        assertThat(LogSettings.of("JSON", null, null).format()).isEqualTo(LogFormat.TEXT);
    }

    @Test
    void logLevelSetsTheRootLevelAndDefaultsToInfo() {
        assertThat(LogSettings.of(null, null, null).rootLevel()).isEqualTo(Level.INFO);
        assertThat(LogSettings.of(null, null, " ").rootLevel()).isEqualTo(Level.INFO);
        assertThat(LogSettings.of(null, null, "DEBUG").rootLevel()).isEqualTo(Level.DEBUG);
        assertThat(LogSettings.of(null, null, "ERROR").problem()).isEmpty();
    }

    @Test
    void aLogLevelNamingNoLevelMeansInfoAndAProblemToReport() {
        LogSettings settings = LogSettings.of(null, null, "verbose");

        assertThat(settings.rootLevel()).isEqualTo(Level.INFO);
        assertThat(settings.problem()).contains(
                "LOG_LEVEL must be one of [TRACE, DEBUG, INFO, WARN, ERROR], got 'verbose'; logging at INFO");
    }

    @Test
    void theAwsSdksLoggersWriteWarningsAndAboveWhateverTheRootLevel() {
        for (String root : new String[] {"TRACE", "ERROR"}) {
            LogSettings settings = LogSettings.of(null, null, root);
            assertThat(settings.levelOf("software.amazon.awssdk")).isEqualTo(Level.WARN);
            assertThat(settings.levelOf("software.amazon.awssdk.request")).isEqualTo(Level.WARN);
            assertThat(settings.levelOf("software.amazon.awssdkx.Other")).isEqualTo(settings.rootLevel());
            assertThat(settings.levelOf("dev.agenttasks.domain.process.TaskProcessor")).isEqualTo(settings.rootLevel());
        }
    }
}
