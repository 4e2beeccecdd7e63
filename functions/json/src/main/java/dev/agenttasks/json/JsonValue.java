package dev.agenttasks.json;

import java.util.List;

/**
 * A JSON value as {@link JsonReader} reads it: immutable, navigated without null checks. {@link #path} of a member or
 * element that is not there is {@link JsonMissing#INSTANCE}, so {@code root.path("choices").path(0).path("message")}
 * never fails; {@link JsonMissing} is the only value no document holds.
 *
 * <p>The {@code as...} coercions read any value as text or as a number, the way the functions' JSON did before this
 * codec (Jackson's {@code JsonNode}): they are for tolerant reading of other people's documents (a provider's
 * response); checked input is read with the type tests and the typed accessors instead.
 *
 * <p>{@link #toString()} is the value as compact JSON ({@link JsonWriter#compact()}); a missing value is the empty
 * string.
 */
public sealed interface JsonValue permits JsonObject, JsonArray, JsonString, JsonNumber, JsonBoolean, JsonNull,
        JsonMissing {

    /** What a value is. */
    enum Type { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL, MISSING }

    Type type();

    default boolean isObject() {
        return type() == Type.OBJECT;
    }

    default boolean isArray() {
        return type() == Type.ARRAY;
    }

    default boolean isString() {
        return type() == Type.STRING;
    }

    default boolean isNumber() {
        return type() == Type.NUMBER;
    }

    default boolean isBoolean() {
        return type() == Type.BOOLEAN;
    }

    /** JSON {@code null}. */
    default boolean isNull() {
        return type() == Type.NULL;
    }

    /** Not in the document ({@link #path} found nothing, or the document was empty). */
    default boolean isMissing() {
        return type() == Type.MISSING;
    }

    default boolean isMissingOrNull() {
        return isMissing() || isNull();
    }

    /** The member {@code name} of an object; {@link JsonMissing#INSTANCE} when absent or this is not an object. */
    default JsonValue path(String name) {
        return JsonMissing.INSTANCE;
    }

    /** The element at {@code index} of an array; {@link JsonMissing#INSTANCE} when absent or this is not an array. */
    default JsonValue path(int index) {
        return JsonMissing.INSTANCE;
    }

    /** Whether an object has the member {@code name}, even if its value is {@code null}. */
    default boolean has(String name) {
        return !path(name).isMissing();
    }

    /** The members of an object or the elements of an array; 0 for anything else. */
    default int size() {
        return 0;
    }

    /** The elements of an array, or the member values of an object, in order; none for anything else. */
    default List<JsonValue> elements() {
        return List.of();
    }

    /**
     * This value as text: a string's own text, a number's ({@link JsonNumber#asText()}), {@code "true"} or
     * {@code "false"}, {@code "null"} for null, and the empty string for an object, an array or a missing value.
     */
    String asText();

    /** {@link #asText()}, but {@code fallback} for null and for a missing value. */
    default String asText(String fallback) {
        return isMissingOrNull() ? fallback : asText();
    }

    /**
     * This value as a {@code long}: a number converted ({@link JsonNumber#longValue()}), a string that holds a
     * number parsed ({@link JsonString#asLong}), 1 or 0 for a boolean, {@code fallback} for anything else.
     */
    default long asLong(long fallback) {
        return fallback;
    }

    /** As {@link #asLong(long)}, for an {@code int}. */
    default int asInt(int fallback) {
        return fallback;
    }

    /** {@link #asInt(int)} with 0 as the fallback. */
    default int asInt() {
        return asInt(0);
    }
}
