package dev.agenttasks.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A JSON object: its members in document order (a repeated name keeps its first place and, when allowed, its last value). */
public record JsonObject(Map<String, JsonValue> members) implements JsonValue {

    public JsonObject {
        members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    @Override
    public Type type() {
        return Type.OBJECT;
    }

    @Override
    public JsonValue path(String name) {
        JsonValue value = members.get(name);
        return value == null ? JsonMissing.INSTANCE : value;
    }

    @Override
    public int size() {
        return members.size();
    }

    @Override
    public List<JsonValue> elements() {
        return Collections.unmodifiableList(new ArrayList<>(members.values()));
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
