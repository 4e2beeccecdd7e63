package dev.agenttasks.json;

/** No value: what {@link JsonValue#path} finds when nothing is there, and what an empty document reads as. */
public enum JsonMissing implements JsonValue {
    INSTANCE;

    @Override
    public Type type() {
        return Type.MISSING;
    }

    @Override
    public String asText() {
        return "";
    }

    @Override
    public String toString() {
        return "";
    }
}
