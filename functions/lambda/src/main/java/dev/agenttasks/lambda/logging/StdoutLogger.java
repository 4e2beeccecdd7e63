package dev.agenttasks.lambda.logging;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.spi.LoggingEventAware;

/**
 * A logger that writes each event it lets through as one line to standard output: {@code System.out} as it is at
 * that moment (the Lambda runtime and the tests replace it), in one {@code write}, so lines from several threads
 * never mix and Lambda ships each as one log event. Markers are ignored; the fluent API's key-value pairs are
 * fields of their event, like MDC entries (a pair wins over an MDC entry of the same key).
 */
final class StdoutLogger extends LegacyAbstractLogger implements LoggingEventAware {

    private static final long serialVersionUID = 1L;

    private final int threshold;
    private final transient LineLayout layout;
    private final transient PerThreadMdc mdc;

    StdoutLogger(String name, Level level, LineLayout layout, PerThreadMdc mdc) {
        this.name = name;
        this.threshold = level.toInt();
        this.layout = layout;
        this.mdc = mdc;
    }

    @Override
    public boolean isTraceEnabled() {
        return threshold <= Level.TRACE.toInt();
    }

    @Override
    public boolean isDebugEnabled() {
        return threshold <= Level.DEBUG.toInt();
    }

    @Override
    public boolean isInfoEnabled() {
        return threshold <= Level.INFO.toInt();
    }

    @Override
    public boolean isWarnEnabled() {
        return threshold <= Level.WARN.toInt();
    }

    @Override
    public boolean isErrorEnabled() {
        return threshold <= Level.ERROR.toInt();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    /**
     * The classic API. AbstractLogger has checked the level and split a trailing Throwable off the arguments; it goes
     * back among them so {@link LogMessage} decides whether a placeholder takes it. Without arguments (null) the
     * throwable was given as such: {@code log.error("message", e)}.
     */
    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
            Throwable throwable) {
        LogMessage message;
        if (arguments == null || throwable == null) {
            message = LogMessage.of(pattern, arguments, throwable);
        } else {
            Object[] all = Arrays.copyOf(arguments, arguments.length + 1);
            all[arguments.length] = throwable;
            message = LogMessage.of(pattern, all, null);
        }
        write(level, message, mdc.current());
    }

    /** The fluent API ({@code log.atInfo()...log()}). */
    @Override
    public void log(LoggingEvent event) {
        if (event.getLevel().toInt() < threshold) {
            return;
        }
        LogMessage message = LogMessage.of(event.getMessage(), event.getArgumentArray(), event.getThrowable());
        write(event.getLevel(), message, withPairs(mdc.current(), event.getKeyValuePairs()));
    }

    private static Map<String, String> withPairs(Map<String, String> fields, List<KeyValuePair> pairs) {
        if (pairs == null || pairs.isEmpty()) {
            return fields;
        }
        Map<String, String> merged = new LinkedHashMap<>(fields);
        for (KeyValuePair pair : pairs) {
            if (pair.key != null) {
                merged.remove(pair.key);
                merged.put(pair.key, String.valueOf(pair.value));
            }
        }
        return merged;
    }

    private void write(Level level, LogMessage message, Map<String, String> fields) {
        String line;
        try {
            line = layout.format(new LogEvent(System.currentTimeMillis(), level, name, Thread.currentThread().getName(),
                    message.text(), fields, message.throwable()));
        } catch (RuntimeException e) {
            // a throwable whose getMessage or printStackTrace fails must not fail the code that logs
            line = layout.format(new LogEvent(System.currentTimeMillis(), level, name,
                    Thread.currentThread().getName(), message.text() + " [could not lay out the event: " + e + "]",
                    Map.of(), null));
        }
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        PrintStream out = System.out;
        out.write(bytes, 0, bytes.length);
        out.flush();
    }
}
