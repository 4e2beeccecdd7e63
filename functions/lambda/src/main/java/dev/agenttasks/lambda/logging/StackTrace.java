package dev.agenttasks.lambda.logging;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A throwable's stack trace as {@link Throwable#printStackTrace} prints it: causes and suppressed included. */
final class StackTrace {

    private StackTrace() {
    }

    static String of(Throwable throwable) {
        StringWriter text = new StringWriter(1024);
        try (PrintWriter writer = new PrintWriter(text)) {
            throwable.printStackTrace(writer);
        }
        return text.toString();
    }
}
