package dev.agenttasks.lambda.logging;

import java.util.Arrays;
import java.util.Optional;

import org.slf4j.event.Level;

import dev.agenttasks.config.LogLevel;
import dev.agenttasks.config.Variable;

/**
 * What the logging reads once, as it starts: the {@link LogFormat} and the root level ({@code LOG_LEVEL}). The
 * AWS SDK's loggers log at WARN and above whatever the root level: its retries and wire details stay out unless
 * something is wrong.
 *
 * @param problem what was wrong with LOG_LEVEL, to be logged once (Config fails the start for it)
 */
record LogSettings(LogFormat format, Level rootLevel, Optional<String> problem) {

    static final String SDK_LOGGERS = "software.amazon.awssdk";

    static LogSettings fromEnvironment() {
        return of(System.getProperty(LogFormat.PROPERTY), System.getenv(LogFormat.LAMBDA_FUNCTION_NAME),
                System.getenv(Variable.LOG_LEVEL.name()));
    }

    static LogSettings of(String formatProperty, String lambdaFunctionName, String logLevel) {
        LogFormat format = LogFormat.choose(formatProperty, lambdaFunctionName);
        Optional<LogLevel> level = LogLevel.named(logLevel);
        Optional<String> problem = level.isPresent() ? Optional.empty()
                : Optional.of(Variable.LOG_LEVEL.name() + " must be one of " + Arrays.toString(LogLevel.values())
                        + ", got '" + logLevel + "'; logging at " + LogLevel.DEFAULT);
        return new LogSettings(format, Level.valueOf(level.orElse(LogLevel.DEFAULT).name()), problem);
    }

    /** The least severe level {@code loggerName} writes. */
    Level levelOf(String loggerName) {
        boolean sdk = loggerName.startsWith(SDK_LOGGERS)
                && (loggerName.length() == SDK_LOGGERS.length() || loggerName.charAt(SDK_LOGGERS.length()) == '.');
        return sdk ? Level.WARN : rootLevel;
    }
}
