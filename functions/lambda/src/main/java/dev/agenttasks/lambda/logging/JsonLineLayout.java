package dev.agenttasks.lambda.logging;

import java.util.Map;

/**
 * One JSON object per line, the form the functions log in Lambda:
 * <pre>{@code
 * {"timestamp":"2026-11-28T10:00:01.234Z","level":"INFO","logger":"...","thread":"...","message":"...",
 *  <each MDC entry as a string field>,"error.type":"...","error.message":"...","error.stack_trace":"..."}
 * }</pre>
 * The {@code error.*} fields are there only when the event has a throwable ({@code error.message} is null when the
 * throwable has no message). An MDC entry named like one of the fixed fields is left out, so no key repeats.
 * Characters are escaped as JSON requires (controls as {@code \n}, {@code \t}, ... or {@code \u001F}); a lone
 * surrogate becomes {@code ?} when the line is encoded in UTF-8.
 */
final class JsonLineLayout implements LineLayout {

    private static final String SEPARATOR = System.lineSeparator();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    @Override
    public String format(LogEvent event) {
        StringBuilder line = new StringBuilder(256);
        line.append("{\"timestamp\":\"");
        Timestamps.appendUtc(line, event.epochMillis());
        line.append("\",\"level\":\"").append(event.level().name()).append('"');
        field(line, "logger", event.logger());
        field(line, "thread", event.thread());
        field(line, "message", event.message());
        for (Map.Entry<String, String> entry : event.fields().entrySet()) {
            if (!isFixedField(entry.getKey())) {
                field(line, entry.getKey(), entry.getValue());
            }
        }
        Throwable throwable = event.throwable();
        if (throwable != null) {
            field(line, "error.type", throwable.getClass().getName());
            field(line, "error.message", throwable.getMessage());
            field(line, "error.stack_trace", StackTrace.of(throwable));
        }
        return line.append('}').append(SEPARATOR).toString();
    }

    private static boolean isFixedField(String key) {
        return switch (key) {
            case "timestamp", "level", "logger", "thread", "message", "error.type", "error.message",
                    "error.stack_trace" -> true;
            default -> false;
        };
    }

    private static void field(StringBuilder line, String key, String value) {
        line.append(',');
        appendString(line, key);
        line.append(':');
        if (value == null) {
            line.append("null");
        } else {
            appendString(line, value);
        }
    }

    /** {@code text} as a JSON string, quotes included. */
    static void appendString(StringBuilder out, String text) {
        out.append('"');
        int clean = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(text, clean, i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
            clean = i + 1;
        }
        out.append(text, clean, text.length()).append('"');
    }
}
