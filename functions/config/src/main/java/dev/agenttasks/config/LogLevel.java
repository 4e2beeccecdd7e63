package dev.agenttasks.config;

import java.util.Optional;

/**
 * The levels {@link Variable#LOG_LEVEL} may name, least severe first. {@link Config} refuses any other value at
 * start; the logging (functions/lambda), which starts before any Config, reads the variable with {@link #named}.
 */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR;

    /** The level when LOG_LEVEL is unset or blank. */
    public static final LogLevel DEFAULT = INFO;

    /**
     * The level {@code value} names, exactly as listed (surrounding blanks ignored): {@link #DEFAULT} for null or
     * blank, empty for anything else.
     */
    public static Optional<LogLevel> named(String value) {
        if (value == null || value.isBlank()) {
            return Optional.of(DEFAULT);
        }
        String name = value.strip();
        for (LogLevel level : values()) {
            if (level.name().equals(name)) {
                return Optional.of(level);
            }
        }
        return Optional.empty();
    }
}
