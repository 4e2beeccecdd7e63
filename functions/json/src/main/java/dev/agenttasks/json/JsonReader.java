package dev.agenttasks.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * Reads one JSON document (RFC 8259) into a {@link JsonValue} with jackson-core's streaming parser, so the syntax,
 * the error messages and the limits are jackson-core's: its default {@code StreamReadConstraints} (nesting depth
 * 1000, numbers of 1000 characters, strings of 20,000,000, member names of 50,000). Nothing non-standard is accepted
 * (no comments, no {@code NaN}, no single quotes, no leading zeros). Strings are taken as they are: an escaped
 * unpaired surrogate (<code>"&#92;uD800"</code>) in a value is kept, for the caller to judge; in a member name jackson-core
 * refuses it.
 *
 * <p>Two readers, alike but for:
 * <ul>
 *   <li>{@link #tolerant()}: a repeated member name keeps its first place and takes its last value; the document
 *       ends with its first value, and what follows is not read.</li>
 *   <li>{@link #strict()}: a repeated member name and anything but whitespace after the value are errors.</li>
 * </ul>
 * Either reads a number with a fraction or an exponent as a {@code double} unless {@link #exactDecimals()} is asked
 * for ({@link JsonNumber}). An empty document (whitespace only) reads as {@link JsonMissing#INSTANCE}. Readers are
 * immutable and thread-safe.
 */
public final class JsonReader {

    private static final JsonFactory TOLERANT_FACTORY = JsonFactory.builder()
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .build();
    private static final JsonFactory STRICT_FACTORY = JsonFactory.builder()
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonReader TOLERANT = new JsonReader(false, false);
    private static final JsonReader STRICT = new JsonReader(true, false);

    private final boolean strict;
    private final boolean exactDecimals;

    private JsonReader(boolean strict, boolean exactDecimals) {
        this.strict = strict;
        this.exactDecimals = exactDecimals;
    }

    /** Reads other people's documents as Jackson's {@code ObjectMapper.readTree} does by default. */
    public static JsonReader tolerant() {
        return TOLERANT;
    }

    /** Refuses repeated member names and trailing content. */
    public static JsonReader strict() {
        return STRICT;
    }

    /** This reader, but numbers with a fraction or an exponent are read exactly, as {@link BigDecimal}s. */
    public JsonReader exactDecimals() {
        return new JsonReader(strict, true);
    }

    /** @throws JsonReadException when {@code json} is not one JSON document this reader accepts */
    public JsonValue read(String json) throws JsonReadException {
        Objects.requireNonNull(json, "json");
        try (JsonParser parser = factory().createParser(json)) {
            return read(parser);
        } catch (JsonReadException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string failed", e);
        }
    }

    /**
     * Reads the document from {@code in} (UTF-8, or UTF-16 or UTF-32 as jackson-core detects them); the stream is
     * the caller's to close.
     *
     * @throws JsonReadException when the stream does not hold one JSON document this reader accepts
     * @throws IOException       when the stream fails
     */
    public JsonValue read(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        try (JsonParser parser = factory().createParser(in)) {
            return read(parser);
        }
    }

    private JsonFactory factory() {
        return strict ? STRICT_FACTORY : TOLERANT_FACTORY;
    }

    private JsonValue read(JsonParser parser) throws IOException {
        try {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return JsonMissing.INSTANCE;
            }
            JsonValue value = value(parser, first);
            if (strict) {
                JsonToken trailing = parser.nextToken();
                if (trailing != null) {
                    throw new JsonReadException("Trailing token (of type " + trailing + ") found after the value;"
                            + " a document holds one value", location(parser.currentTokenLocation()), null, null);
                }
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new JsonReadException(e.getOriginalMessage(), location(e.getLocation()), enclosingObject(parser), e);
        } catch (NumberFormatException e) {
            // jackson-core's BigDecimal parsing of an exponent beyond an int (1e9999999999)
            throw new JsonReadException(e.getMessage(), location(parser.currentTokenLocation()),
                    enclosingObject(parser), e);
        }
    }

    /** The value that starts with {@code token}; depth is bounded by jackson-core's nesting limit. */
    private JsonValue value(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                Map<String, JsonValue> members = new LinkedHashMap<>();
                for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                    members.put(name, value(parser, next(parser)));
                }
                return new JsonObject(members);
            }
            case START_ARRAY: {
                List<JsonValue> elements = new ArrayList<>();
                for (JsonToken element = next(parser); element != JsonToken.END_ARRAY; element = next(parser)) {
                    elements.add(value(parser, element));
                }
                return new JsonArray(elements);
            }
            case VALUE_STRING:
                return new JsonString(parser.getText());
            case VALUE_NUMBER_INT:
                switch (parser.getNumberType()) {
                    case INT:
                        return new JsonNumber(parser.getIntValue());
                    case LONG:
                        return new JsonNumber(parser.getLongValue());
                    default:
                        return new JsonNumber(parser.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                if (!exactDecimals) {
                    return new JsonNumber(parser.getDoubleValue());
                }
                BigDecimal decimal = parser.getDecimalValue();
                return new JsonNumber(decimal.signum() == 0 ? BigDecimal.ZERO : decimal.stripTrailingZeros());
            case VALUE_TRUE:
                return JsonBoolean.TRUE;
            case VALUE_FALSE:
                return JsonBoolean.FALSE;
            case VALUE_NULL:
                return JsonNull.INSTANCE;
            default:
                throw new IllegalStateException("jackson-core gave " + token + " where a value starts");
        }
    }

    /** The next token inside a container: jackson-core reports an end of input there itself. */
    private static JsonToken next(JsonParser parser) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw new IllegalStateException("jackson-core ended the input inside " + parser.getParsingContext());
        }
        return token;
    }

    private static JsonReadException.Location location(JsonLocation location) {
        return location == null ? null : new JsonReadException.Location(location.getLineNr(), location.getColumnNr());
    }

    /** The object the parser was in, when it was in one: its parent context knows the object's own path. */
    private static String enclosingObject(JsonParser parser) {
        JsonStreamContext context = parser.getParsingContext();
        if (context == null || !context.inObject() || context.getParent() == null) {
            return null;
        }
        return context.getParent().pathAsPointer().toString();
    }
}
