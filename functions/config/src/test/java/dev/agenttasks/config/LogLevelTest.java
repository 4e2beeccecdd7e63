package dev.agenttasks.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogLevelTest {

    @Test
    void eachLevelIsNamedExactlyAsListedAndSurroundingBlanksDoNotCount() {
        for (LogLevel level : LogLevel.values()) {
            assertThat(LogLevel.named(level.name())).contains(level);
        }
        assertThat(LogLevel.named(" WARN\n")).contains(LogLevel.WARN);
    }

    @Test
    void unsetOrBlankMeansInfo() {
        assertThat(LogLevel.named(null)).contains(LogLevel.INFO);
        assertThat(LogLevel.named("  ")).contains(LogLevel.INFO);
    }

    @Test
    void anyOtherValueNamesNoLevel() {
        assertThat(LogLevel.named("debug")).isEmpty();
        assertThat(LogLevel.named("verbose")).isEmpty();
        assertThat(LogLevel.named("OFF")).isEmpty();
        assertThat(LogLevel.named("FATAL")).isEmpty();
    }
}
