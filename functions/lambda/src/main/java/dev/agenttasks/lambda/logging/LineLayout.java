package dev.agenttasks.lambda.logging;

import java.util.TimeZone;

/** Lays out an event as one line of standard output. */
interface LineLayout {

    /** The line, line separator included. */
    String format(LogEvent event);

    /** The layout of {@code format}. */
    static LineLayout of(LogFormat format) {
        return format == LogFormat.JSON ? new JsonLineLayout() : new TextLineLayout(TimeZone.getDefault());
    }
}
