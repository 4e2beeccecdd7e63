package dev.agenttasks.json;

import java.util.Objects;

/** A JSON string. */
public record JsonString(String value) implements JsonValue {

    public JsonString {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public Type type() {
        return Type.STRING;
    }

    @Override
    public String asText() {
        return value;
    }

    /**
     * The number the text holds, as Jackson's {@code TextNode.asLong} read it: surrounding whitespace is ignored;
     * digits alone, after one {@code +} or {@code -}, must fit a {@code long} (else {@code fallback}); anything else
     * is read as a Java {@code double} and truncated ({@code "12.7"} is 12, {@code "1e3"} 1000), or is
     * {@code fallback} when it is not one.
     */
    @Override
    public long asLong(long fallback) {
        NumericText text = NumericText.of(value);
        try {
            return text.integer() ? Long.parseLong(text.text()) : (long) Double.parseDouble(text.text());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** As {@link #asLong(long)}, for an {@code int}. */
    @Override
    public int asInt(int fallback) {
        NumericText text = NumericText.of(value);
        try {
            return text.integer() ? Integer.parseInt(text.text()) : (int) Double.parseDouble(text.text());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public String toString() {
        return JsonWriter.compact().write(this);
    }

    /**
     * Text as Java's number parsers take it: trimmed, without a leading {@code +}; {@code integer} when only ASCII
     * digits are left (after a {@code -} if there was no {@code +}), the empty text included (which fails).
     */
    private record NumericText(String text, boolean integer) {
        static NumericText of(String value) {
            String text = value.trim();
            int digitsFrom = 0;
            if (text.startsWith("+")) {
                text = text.substring(1);
            } else if (text.startsWith("-")) {
                digitsFrom = 1;
            }
            for (int i = digitsFrom; i < text.length(); i++) {
                if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                    return new NumericText(text, false);
                }
            }
            return new NumericText(text, true);
        }
    }
}
