package dev.agenttasks.json;

/** JSON {@code true} or {@code false}. */
public enum JsonBoolean implements JsonValue {
    TRUE, FALSE;

    public static JsonBoolean of(boolean value) {
        return value ? TRUE : FALSE;
    }

    public boolean value() {
        return this == TRUE;
    }

    @Override
    public Type type() {
        return Type.BOOLEAN;
    }

    @Override
    public String asText() {
        return value() ? "true" : "false";
    }

    @Override
    public long asLong(long fallback) {
        return value() ? 1 : 0;
    }

    @Override
    public int asInt(int fallback) {
        return value() ? 1 : 0;
    }

    @Override
    public String toString() {
        return asText();
    }
}
