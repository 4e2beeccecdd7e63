package dev.agenttasks.json;

/** JSON {@code null}. */
public enum JsonNull implements JsonValue {
    INSTANCE;

    @Override
    public Type type() {
        return Type.NULL;
    }

    @Override
    public String asText() {
        return "null";
    }

    @Override
    public String toString() {
        return "null";
    }
}
