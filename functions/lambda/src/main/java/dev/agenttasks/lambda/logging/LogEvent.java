package dev.agenttasks.lambda.logging;

import java.util.Map;

import org.slf4j.event.Level;

/**
 * One event, ready to be laid out.
 *
 * @param fields the MDC entries of the logging thread (and the event's key-value pairs), in the order they were put
 * @param throwable null when there is none
 */
record LogEvent(long epochMillis, Level level, String logger, String thread, String message,
        Map<String, String> fields, Throwable throwable) {
}
