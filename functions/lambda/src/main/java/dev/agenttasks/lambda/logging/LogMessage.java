package dev.agenttasks.lambda.logging;

import java.util.Arrays;

import org.slf4j.helpers.MessageFormatter;

/**
 * A message with its {@code {}} placeholders filled, and the event's throwable.
 *
 * <p>A trailing Throwable argument is the event's throwable only when no placeholder takes it (as Log4j2 decided,
 * which the functions used before): {@code log.warn("{} failed: {}", what, e)} puts {@code e.toString()} into the
 * message, {@code log.warn("{} failed", what, e)} attaches {@code e} with its stack trace. SLF4J's own rule would
 * take it away from the placeholder and leave a literal {@code {}}.
 */
record LogMessage(String text, Throwable throwable) {

    /**
     * @param pattern the message, with {@code {}} placeholders when there are {@code arguments}
     * @param arguments null or empty: {@code pattern} is the message as it is
     * @param cause the throwable given apart from the arguments, or null
     */
    static LogMessage of(String pattern, Object[] arguments, Throwable cause) {
        if (arguments == null || arguments.length == 0) {
            return new LogMessage(String.valueOf(pattern), cause);
        }
        int count = arguments.length;
        Throwable throwable = cause;
        if (cause == null && arguments[count - 1] instanceof Throwable last && placeholders(pattern, count) < count) {
            throwable = last;
            count--;
        }
        Object[] used = count == arguments.length ? arguments : Arrays.copyOf(arguments, count);
        return new LogMessage(String.valueOf(MessageFormatter.basicArrayFormat(pattern, used)), throwable);
    }

    /** Placeholders in {@code pattern} as {@link MessageFormatter} fills them ({@code \{}} is none), at most {@code max}. */
    static int placeholders(String pattern, int max) {
        if (pattern == null) {
            return 0;
        }
        int found = 0;
        int from = 0;
        while (found < max) {
            int at = pattern.indexOf("{}", from);
            if (at < 0) {
                break;
            }
            boolean escaped = at > 0 && pattern.charAt(at - 1) == '\\';
            boolean escapedBackslash = escaped && at > 1 && pattern.charAt(at - 2) == '\\';
            if (escaped && !escapedBackslash) {
                from = at + 1;
            } else {
                found++;
                from = at + 2;
            }
        }
        return found;
    }
}
