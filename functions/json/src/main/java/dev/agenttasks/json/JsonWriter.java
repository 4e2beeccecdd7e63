package dev.agenttasks.json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

/**
 * Writes a value as compact JSON (no whitespace) with jackson-core's generator, byte for byte as Jackson's
 * {@code ObjectMapper} wrote the same maps, lists and values before this codec.
 *
 * <table>
 *   <caption>What can be written</caption>
 *   <tr><th>Java</th><th>JSON</th></tr>
 *   <tr><td>{@code null}, {@link JsonNull}</td><td>{@code null}</td></tr>
 *   <tr><td>{@link String}, {@link JsonString}</td><td>a string: {@code "}, {@code \} and control characters
 *       escaped ({@code \n}, <code>&#92;u0001</code>), everything else as it is, unpaired surrogates included; the UTF-8
 *       forms escape every surrogate, so a character outside the BMP is <code>&#92;uD83D&#92;uDE00</code> there (jackson-core's
 *       default); {@link #asciiOnly()} escapes every non-ASCII character</td></tr>
 *   <tr><td>{@link Boolean}, {@link JsonBoolean}</td><td>{@code true}, {@code false}</td></tr>
 *   <tr><td>{@link Integer}, {@link Long}, {@link Short}, {@link Byte}, {@link BigInteger}</td><td>the integer</td></tr>
 *   <tr><td>{@link Double}, {@link Float}</td><td>{@link Double#toString(double)} ({@code 1.0}, {@code 1.0E-5});
 *       NaN and the infinities as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}</td></tr>
 *   <tr><td>{@link BigDecimal}</td><td>{@link BigDecimal#toString()} ({@code 1E+3}), or
 *       {@link BigDecimal#toPlainString()} with {@link #plainDecimals()} ({@code 1000})</td></tr>
 *   <tr><td>{@link JsonNumber}</td><td>its value, as above</td></tr>
 *   <tr><td>{@link Map} with {@link String} keys, {@link JsonObject}</td><td>an object, members in the map's
 *       iteration order (a {@code LinkedHashMap}'s insertion order, a {@code TreeMap}'s sorted order)</td></tr>
 *   <tr><td>{@link Iterable}, {@link JsonArray}</td><td>an array</td></tr>
 * </table>
 * Anything else, a {@code null} key, and nesting deeper than jackson-core's limit (1000) are refused with an
 * {@link IllegalArgumentException}. Writers are immutable and thread-safe.
 */
public final class JsonWriter {

    private static final JsonWriter COMPACT = new JsonWriter(false, false);

    private final boolean plainDecimals;
    private final boolean asciiOnly;
    private final JsonFactory factory;

    private JsonWriter(boolean plainDecimals, boolean asciiOnly) {
        this.plainDecimals = plainDecimals;
        this.asciiOnly = asciiOnly;
        this.factory = JsonFactory.builder()
                .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
                .configure(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN, plainDecimals)
                .configure(JsonWriteFeature.ESCAPE_NON_ASCII, asciiOnly)
                .build();
    }

    public static JsonWriter compact() {
        return COMPACT;
    }

    /** This writer, but a {@link BigDecimal} is written without an exponent: 1000, not 1E+3. */
    public JsonWriter plainDecimals() {
        return new JsonWriter(true, asciiOnly);
    }

    /** This writer, but every character beyond ASCII is escaped (<code>&#92;u00E9</code>), unpaired surrogates included. */
    public JsonWriter asciiOnly() {
        return new JsonWriter(plainDecimals, true);
    }

    public String write(Object value) {
        StringWriter text = new StringWriter();
        try (JsonGenerator generator = factory.createGenerator(text)) {
            write(generator, value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot be written as JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string failed", e);
        }
        return text.toString();
    }

    /** The value as UTF-8 JSON. */
    public byte[] writeBytes(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(value, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Writes the value to {@code out} as UTF-8 JSON, and flushes it; the stream is the caller's to close. */
    public void write(Object value, OutputStream out) throws IOException {
        try (JsonGenerator generator = factory.createGenerator(out, JsonEncoding.UTF8)) {
            write(generator, value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static void write(JsonGenerator generator, Object value) throws IOException {
        if (value == null || value == JsonNull.INSTANCE) {
            generator.writeNull();
        } else if (value instanceof String text) {
            generator.writeString(text);
        } else if (value instanceof Map<?, ?> map) {
            generator.writeStartObject();
            for (Map.Entry<?, ?> member : map.entrySet()) {
                if (!(member.getKey() instanceof String name)) {
                    throw new IllegalArgumentException("a JSON member name is a String, not " + member.getKey());
                }
                generator.writeFieldName(name);
                write(generator, member.getValue());
            }
            generator.writeEndObject();
        } else if (value instanceof Iterable<?> elements) {
            generator.writeStartArray();
            for (Object element : elements) {
                write(generator, element);
            }
            generator.writeEndArray();
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            generator.writeNumber(((Number) value).intValue());
        } else if (value instanceof Long number) {
            generator.writeNumber(number.longValue());
        } else if (value instanceof Double number) {
            generator.writeNumber(number.doubleValue());
        } else if (value instanceof BigDecimal number) {
            generator.writeNumber(number);
        } else if (value instanceof BigInteger number) {
            generator.writeNumber(number);
        } else if (value instanceof Float number) {
            generator.writeNumber(number.floatValue());
        } else if (value instanceof Boolean bool) {
            generator.writeBoolean(bool.booleanValue());
        } else if (value instanceof JsonValue json) {
            writeTree(generator, json);
        } else {
            throw new IllegalArgumentException("cannot be written as JSON: a " + value.getClass().getName());
        }
    }

    private static void writeTree(JsonGenerator generator, JsonValue value) throws IOException {
        if (value instanceof JsonObject object) {
            write(generator, object.members());
        } else if (value instanceof JsonArray array) {
            write(generator, array.elements());
        } else if (value instanceof JsonString string) {
            generator.writeString(string.value());
        } else if (value instanceof JsonNumber number) {
            write(generator, number.value());
        } else if (value instanceof JsonBoolean bool) {
            generator.writeBoolean(bool.value());
        } else {
            throw new IllegalArgumentException("a missing value cannot be written as JSON");
        }
    }
}
