package dev.agenttasks.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The codec against what the functions used before it, Jackson's {@code ObjectMapper} as each of them configured it:
 * for any document, near-JSON or broken, both accept it with the same tree (value types included) and the same
 * coercions, or both refuse it with the same reason and place; for any value, both write the same text and bytes.
 */
class JacksonEquivalenceProperties {

    /** SubmitTaskApi's reader. */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** RoutingConfigLoader's reader. */
    private static final ObjectMapper STRICT_EXACT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** Everyone else's: new ObjectMapper(). */
    private static final ObjectMapper TOLERANT = new ObjectMapper();

    private static final List<String> NUMBERS = List.of("0", "-0", "7", "-12", "2147483647", "2147483648",
            "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "99999999999999999999", "1.5", "1.0", "100.0", "0.000", "-0.0", "1e3", "1E+2", "1e-7", "12.50", "1e400",
            "-1e400", "1e9999999999", "4.9e-324", "1.7976931348623157e308", "01", "1.", "-", ".5", "+1", "1e", "0x10",
            "1.5e+", "--1", "2e-9999999999");
    private static final List<String> NAMES = List.of("a", "b", "task", "a/b", "~1", "", "\u00e9", "\\u00e9",
            "\\ud83d\\ude00", "\\ud800", "\\udc00x", "x\\ud800y", "\\\"", "\\n");
    private static final String TEXT_PIECES_JOINED = "abc|\\n|\\t|\\\"|\\\\|\\/|\\u0000|\\u001f|\\u00e9|\\ud83d\\ude00"
            + "|\\ud800|\\udfff|\u00e9|\ud83d\ude00|\u2028| |</|\u0001|\u007f|\\x|\\u12";
    private static final String[] TEXT_PIECES = TEXT_PIECES_JOINED.split("\\|", -1);

    @Property(tries = 3000)
    void strictReadingAgreesWithSubmitTaskApisMapper(@ForAll("documents") String document) {
        Statistics.collect(agree(JsonReader.strict(), STRICT, document));
    }

    @Property(tries = 2000)
    void exactReadingAgreesWithTheRoutingLoadersMapper(@ForAll("documents") String document) {
        Statistics.collect(agree(JsonReader.strict().exactDecimals(), STRICT_EXACT, document));
    }

    @Property(tries = 2000)
    void tolerantReadingAgreesWithADefaultMapper(@ForAll("documents") String document) {
        Statistics.collect(agree(JsonReader.tolerant(), TOLERANT, document));
    }

    @Property(tries = 2000)
    void textIsReadAsANumberAsJacksonReadIt(@ForAll("numericText") String text) {
        JsonString ours = new JsonString(text);
        TextNode theirs = new TextNode(text);

        assertThat(ours.asLong(-7)).as("asLong of %s", text).isEqualTo(theirs.asLong(-7));
        assertThat(ours.asInt(-7)).as("asInt of %s", text).isEqualTo(theirs.asInt(-7));
    }

    @Property(tries = 2000)
    void valuesAreWrittenAsJacksonWroteThem(@ForAll("values") Object value) throws JsonProcessingException {
        ObjectMapper plain = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
        ObjectMapper ascii = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

        assertThat(JsonWriter.compact().write(value)).isEqualTo(TOLERANT.writeValueAsString(value));
        assertThat(JsonWriter.compact().writeBytes(value)).isEqualTo(TOLERANT.writeValueAsBytes(value));
        assertThat(JsonWriter.compact().plainDecimals().write(value)).isEqualTo(plain.writeValueAsString(value));
        assertThat(JsonWriter.compact().asciiOnly().write(value)).isEqualTo(ascii.writeValueAsString(value));
    }

    /** Whether both read the document ({@code accepted}) or both refused it ({@code refused}). */
    private static String agree(JsonReader reader, ObjectMapper mapper, String document) {
        JsonNode theirs;
        try {
            theirs = mapper.readTree(document);
        } catch (JsonProcessingException expected) {
            JsonReadException ours = refusal(reader, document);
            JsonLocation at = expected.getLocation();
            assertThat(ours.location()).as("place of %s", expected.getOriginalMessage())
                    .isEqualTo(at == null ? Optional.empty()
                            : Optional.of(new JsonReadException.Location(at.getLineNr(), at.getColumnNr())));
            if (expected instanceof MismatchedInputException && expected.getOriginalMessage().startsWith("Trailing token")) {
                String type = expected.getOriginalMessage().split("[()]")[1];
                assertThat(ours.reason()).startsWith("Trailing token (" + type + ") found after the value");
            } else {
                assertThat(ours.reason()).isEqualTo(expected.getOriginalMessage());
                assertThat(ours.enclosingObject()).isEqualTo(Optional.ofNullable(enclosingObject(expected)));
            }
            return "refused";
        } catch (NumberFormatException expected) {
            assertThat(refusal(reader, document).reason()).isEqualTo(expected.getMessage());
            return "refused";
        }
        JsonValue ours;
        try {
            ours = reader.read(document);
        } catch (JsonReadException e) {
            throw new AssertionError("refused what Jackson read as " + theirs, e);
        }
        same(ours, theirs, "");
        assertThat(ours.toString()).isEqualTo(theirs.toString());
        return "accepted";
    }

    private static JsonReadException refusal(JsonReader reader, String document) {
        try {
            JsonValue read = reader.read(document);
            return fail("read %s where Jackson refused it", read);
        } catch (JsonReadException e) {
            return e;
        }
    }

    /** How SubmitTaskApi found the object holding a bad member name from Jackson's exception. */
    private static String enclosingObject(JsonProcessingException e) {
        if (!(e.getProcessor() instanceof JsonParser parser)) {
            return null;
        }
        JsonStreamContext object = parser.getParsingContext();
        if (object == null || !object.inObject() || object.getParent() == null) {
            return null;
        }
        return object.getParent().pathAsPointer().toString();
    }

    @SuppressWarnings("deprecation")
    private static void same(JsonValue ours, JsonNode theirs, String at) {
        assertThat(ours.type().name()).as("type at %s", at).isEqualTo(theirs.getNodeType().name());
        assertThat(ours.asText()).as("asText at %s", at).isEqualTo(theirs.asText());
        assertThat(ours.asText("fallback")).as("asText(fallback) at %s", at).isEqualTo(theirs.asText("fallback"));
        assertThat(ours.asLong(-7)).as("asLong at %s", at).isEqualTo(theirs.asLong(-7));
        assertThat(ours.asInt(-7)).as("asInt at %s", at).isEqualTo(theirs.asInt(-7));
        assertThat(ours.size()).as("size at %s", at).isEqualTo(theirs.size());
        if (ours instanceof JsonNumber number) {
            assertThat(number.value()).as("number at %s", at).isEqualTo(theirs.numberValue());
            assertThat(number.isIntegral()).as("integral at %s", at).isEqualTo(theirs.isIntegralNumber());
            assertThat(number.fitsInt()).as("fits an int at %s", at)
                    .isEqualTo(theirs.isIntegralNumber() && theirs.canConvertToInt());
            assertThat(number.fitsLong()).as("fits a long at %s", at)
                    .isEqualTo(theirs.isIntegralNumber() && theirs.canConvertToLong());
            if (!(number.value() instanceof Double d) || Double.isFinite(d)) {
                assertThat(number.decimalValue()).as("decimal at %s", at).isEqualTo(theirs.decimalValue());
            }
        } else if (ours instanceof JsonObject object) {
            List<String> names = new ArrayList<>();
            theirs.fieldNames().forEachRemaining(names::add);
            assertThat(object.members().keySet()).as("members at %s", at).containsExactlyElementsOf(names);
            for (String name : names) {
                same(ours.path(name), theirs.get(name), at + "/" + name);
            }
        } else if (ours instanceof JsonArray) {
            for (int i = 0; i < theirs.size(); i++) {
                same(ours.path(i), theirs.get(i), at + "/" + i);
            }
        }
        Iterator<JsonNode> elements = theirs.elements();
        for (JsonValue element : ours.elements()) {
            assertThat(element.toString()).as("element at %s", at).isEqualTo(elements.next().toString());
        }
        assertThat(elements.hasNext()).as("more elements at %s", at).isFalse();
    }

    @Provide
    Arbitrary<String> documents() {
        return Arbitraries.randomValue(JacksonEquivalenceProperties::document);
    }

    @Provide
    Arbitrary<String> numericText() {
        return Arbitraries.randomValue(random -> {
            StringBuilder text = new StringBuilder();
            text.append(List.of("", " ", "\t", "+", "-", "+-", "++", "-+").get(random.nextInt(8)));
            text.append(random.nextInt(4) == 0 ? NUMBERS.get(random.nextInt(NUMBERS.size()))
                    : List.of("NaN", "Infinity", "abc", "1d", "1f", "0x1p3", "1_000", "", "1 2", "١٢").get(random.nextInt(10)));
            text.append(List.of("", " ", "\n", "x").get(random.nextInt(4)));
            return text.toString();
        });
    }

    @Provide
    Arbitrary<Object> values() {
        return Arbitraries.randomValue(random -> javaValue(random, 0));
    }

    static String document(Random random) {
        StringBuilder json = new StringBuilder();
        whitespace(random, json);
        value(random, json, 0);
        whitespace(random, json);
        if (random.nextInt(5) == 0) {
            json.append(List.of(" 1", " {}", "[]", " x", "]", "}", " \"s\"", " null", ",").get(random.nextInt(9)));
        }
        if (random.nextInt(6) == 0 && json.length() > 0) {
            int at = random.nextInt(json.length());
            if (random.nextBoolean()) {
                json.deleteCharAt(at);
            } else {
                String noise = "{}[],:\"\\ 0e";
                json.insert(at, noise.charAt(random.nextInt(noise.length())));
            }
        }
        return json.toString();
    }

    private static void value(Random random, StringBuilder json, int depth) {
        int kind = random.nextInt(depth > 4 ? 6 : 10);
        if (kind < 2) {
            string(random, json);
        } else if (kind < 4) {
            json.append(NUMBERS.get(random.nextInt(NUMBERS.size())));
        } else if (kind == 4) {
            json.append(List.of("true", "false", "null", "nul", "NaN", "tru", "True").get(random.nextInt(7)));
        } else if (kind == 5) {
            json.append(random.nextLong() >> random.nextInt(64));
            if (random.nextBoolean()) {
                json.append('.').append(random.nextInt(1000));
            }
            if (random.nextBoolean()) {
                json.append(random.nextBoolean() ? "e" : "E").append(random.nextInt(40) - 20);
            }
        } else if (kind < 8) {
            json.append('[');
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    json.append(',');
                }
                whitespace(random, json);
                value(random, json, depth + 1);
            }
            json.append(']');
        } else {
            json.append('{');
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    json.append(',');
                }
                whitespace(random, json);
                json.append('"').append(NAMES.get(random.nextInt(NAMES.size()))).append('"');
                whitespace(random, json);
                json.append(':');
                value(random, json, depth + 1);
            }
            json.append('}');
        }
    }

    private static void string(Random random, StringBuilder json) {
        json.append('"');
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
            json.append(TEXT_PIECES[random.nextInt(TEXT_PIECES.length)]);
        }
        json.append('"');
    }

    private static void whitespace(Random random, StringBuilder json) {
        json.append(List.of("", "", " ", "\n", "\t", "\r\n  ").get(random.nextInt(6)));
    }

    private static Object javaValue(Random random, int depth) {
        switch (random.nextInt(depth > 3 ? 9 : 11)) {
            case 0:
                return null;
            case 1:
                return text(random);
            case 2:
                return random.nextInt() >> random.nextInt(32);
            case 3:
                return random.nextLong() >> random.nextInt(64);
            case 4:
                return random.nextInt(8) == 0 ? List.of(Double.NaN, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE)
                        .get(random.nextInt(4)) : random.nextDouble() * Math.pow(10, random.nextInt(60) - 30);
            case 5:
                return random.nextFloat() * (float) Math.pow(10, random.nextInt(20) - 10);
            case 6:
                return new BigDecimal(BigInteger.valueOf(random.nextLong() >> random.nextInt(64)), random.nextInt(60) - 30);
            case 7:
                return new BigInteger(random.nextInt(120) + 1, random).negate();
            case 8:
                return random.nextBoolean();
            case 9: {
                List<Object> list = new ArrayList<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    list.add(javaValue(random, depth + 1));
                }
                return list;
            }
            default: {
                Map<String, Object> map = new LinkedHashMap<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    map.put(text(random), javaValue(random, depth + 1));
                }
                return map;
            }
        }
    }

    /** Any UTF-16 text: controls, surrogates (paired or not), line separators, non-BMP characters. */
    private static String text(Random random) {
        StringBuilder text = new StringBuilder();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(5)) {
                case 0 -> text.append((char) random.nextInt(0x80));
                case 1 -> text.append((char) random.nextInt(0x10000));
                case 2 -> text.appendCodePoint(0x10000 + random.nextInt(0x100000));
                case 3 -> text.append("\"\\/\u2028\u00e9".charAt(random.nextInt(5)));
                default -> text.append(new String(new byte[] {(byte) ('a' + random.nextInt(26))}, StandardCharsets.US_ASCII));
            }
        }
        return text.toString();
    }
}
