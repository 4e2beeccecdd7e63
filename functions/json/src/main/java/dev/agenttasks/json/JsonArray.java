package dev.agenttasks.json;

import java.util.List;

/** A JSON array. */
public record JsonArray(List<JsonValue> elements) implements JsonValue {

    public JsonArray {
        elements = List.copyOf(elements);
    }

    @Override
    public Type type() {
        return Type.ARRAY;
    }

    @Override
    public JsonValue path(int index) {
        return index >= 0 && index < elements.size() ? elements.get(index) : JsonMissing.INSTANCE;
    }

    @Override
    public int size() {
        return elements.size();
    }

    @Override
    public String asText() {
        return "";
    }

    @Override
    public String toString() {
        return JsonWriter.compact().write(this);
    }
}
