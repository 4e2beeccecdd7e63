package dev.agenttasks.lambda.logging;

import java.util.TimeZone;

import dev.agenttasks.lambda.InvocationLog;

/**
 * A plain line for people (the local stack, tests): {@code 10:00:01.234 INFO  [WorkerFunction] TaskProcessor - ...},
 * i.e. the local time, the level padded to five, the MDC's function name in brackets when there is one, the
 * logger's simple name and the message; then the stack trace, if any, on the following lines.
 */
final class TextLineLayout implements LineLayout {

    private static final String SEPARATOR = System.lineSeparator();

    /** java.util's zone, not java.time's: its rules load in a third of the time. */
    private final TimeZone zone;

    TextLineLayout(TimeZone zone) {
        this.zone = zone;
    }

    @Override
    public String format(LogEvent event) {
        StringBuilder line = new StringBuilder(128);
        long millis = event.epochMillis();
        long local = millis + zone.getOffset(millis);
        Timestamps.appendTimeOfDay(line, (int) Math.floorMod(local, 86_400_000L));
        String level = event.level().name();
        line.append(' ').append(level);
        for (int i = level.length(); i < 5; i++) {
            line.append(' ');
        }
        line.append(' ');
        String function = event.fields().get(InvocationLog.FUNCTION_NAME);
        if (function != null && !function.isEmpty()) {
            line.append('[').append(function).append("] ");
        }
        String logger = event.logger();
        line.append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(" - ").append(event.message())
                .append(SEPARATOR);
        if (event.throwable() != null) {
            line.append(StackTrace.of(event.throwable()));
        }
        return line.toString();
    }
}
