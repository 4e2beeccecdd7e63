/**
 * The functions' JSON, on jackson-core's streaming parser and generator alone (no jackson-databind, whose class
 * loading cost every cold start about a quarter of a second).
 *
 * <ul>
 *   <li>{@link dev.agenttasks.json.JsonReader}: a document to an immutable {@link dev.agenttasks.json.JsonValue}
 *       tree ({@link dev.agenttasks.json.JsonObject}, {@link dev.agenttasks.json.JsonArray},
 *       {@link dev.agenttasks.json.JsonString}, {@link dev.agenttasks.json.JsonNumber},
 *       {@link dev.agenttasks.json.JsonBoolean}, {@link dev.agenttasks.json.JsonNull}, and
 *       {@link dev.agenttasks.json.JsonMissing} for what is not there), tolerant or strict;
 *       {@link dev.agenttasks.json.JsonReadException} says what is wrong and where.</li>
 *   <li>{@link dev.agenttasks.json.JsonWriter}: maps, lists, strings, numbers, booleans, null (and trees) to compact
 *       JSON.</li>
 * </ul>
 *
 * Both keep what Jackson's {@code ObjectMapper} did for the same documents and values (the tests compare them), so
 * responses, stored conversations, metrics lines and error messages did not change when the functions moved here.
 */
package dev.agenttasks.json;
