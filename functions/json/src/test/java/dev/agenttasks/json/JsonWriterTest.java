package dev.agenttasks.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class JsonWriterTest {

    private static final JsonWriter COMPACT = JsonWriter.compact();

    @Test
    void mapsAreObjectsInTheirIterationOrderWithNullMembersKept() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("task_id", "t1");
        view.put("status", "pending");
        view.put("result", null);
        view.put("attempts", 0);
        view.put("usage", Map.of("input_tokens", 12L));
        view.put("tags", List.of("a", true, 1.5));

        assertThat(COMPACT.write(view)).isEqualTo("{\"task_id\":\"t1\",\"status\":\"pending\",\"result\":null,\"attempts\":0,"
                + "\"usage\":{\"input_tokens\":12},\"tags\":[\"a\",true,1.5]}");
        assertThat(COMPACT.write(new TreeMap<>(Map.of("b", 1, "a", 2)))).isEqualTo("{\"a\":2,\"b\":1}");
    }

    @Test
    void numbersAreWrittenAsJavaPrintsThem() {
        List<Object> numbers = List.of(7, -7L, (short) 3, (byte) 4, new BigInteger("123456789012345678901234567890"),
                1.0, 1.5e-5, 1e21, 0.1f, new BigDecimal("1E+3"), new BigDecimal("0.000001"), new BigDecimal("12.50"));

        assertThat(COMPACT.write(numbers))
                .isEqualTo("[7,-7,3,4,123456789012345678901234567890,1.0,1.5E-5,1.0E21,0.1,1E+3,0.000001,12.50]");
    }

    @Test
    void plainDecimalsNeverUseAnExponent() {
        List<Object> numbers = List.of(new BigDecimal("1E+3"), new BigDecimal("1E-7"), new BigDecimal("0.0001234"), 1e21);

        assertThat(COMPACT.plainDecimals().write(numbers)).isEqualTo("[1000,0.0000001,0.0001234,1.0E21]");
    }

    @Test
    void nonFiniteDoublesAreWrittenAsStrings() {
        assertThat(COMPACT.write(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)))
                .isEqualTo("[\"NaN\",\"Infinity\",\"-Infinity\"]");
    }

    @Test
    void quotesBackslashesAndControlCharactersAreEscapedAndNothingElse() {
        String text = "q\" b\\ s/ </script> \b\f\n\r\t \u0000\u001f\u007f \u00e9 \u2028 \ud83d\ude00";

        assertThat(COMPACT.write(text)).isEqualTo(
                "\"q\\\" b\\\\ s/ </script> \\b\\f\\n\\r\\t \\u0000\\u001F\u007f \u00e9 \u2028 \ud83d\ude00\"");
    }

    @Test
    void bytesAreUtf8WithCharactersOutsideTheBmpEscapedAsJacksonDoesByDefault() {
        byte[] bytes = COMPACT.writeBytes("\u00e9\ud83d\ude00");

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("\"\u00e9\\uD83D\\uDE00\"");
        assertThat(bytes).hasSize(1 + 2 + 12 + 1);
    }

    @Test
    void asciiOnlyEscapesEveryOtherCharacter() {
        assertThat(COMPACT.asciiOnly().write(Map.of("p", "\u00e9\ud83d\ude00\ud800")))
                .isEqualTo("{\"p\":\"\\u00E9\\uD83D\\uDE00\\uD800\"}");
    }

    @Test
    void anUnpairedSurrogateIsKeptInTextAndEscapedInUtf8() {
        assertThat(COMPACT.write("a\ud800")).isEqualTo("\"a\ud800\"");
        assertThat(new String(COMPACT.writeBytes("a\ud800"), StandardCharsets.US_ASCII)).isEqualTo("\"a\\uD800\"");
    }

    @Test
    void whatIsReadIsWrittenBackTheSame() throws JsonReadException {
        String json = "{\"a\":[1,-2,3.25,1.0E-7,\"x\\u0001y\\\"\",true,false,null,{}],\"b\":{\"c\":[[]]},"
                + "\"d\":12345678901234567890,\"e\":\"\u00e9\ud83d\ude00\"}";

        assertThat(COMPACT.write(JsonReader.strict().read(json))).isEqualTo(json);
        assertThat(JsonReader.strict().read(COMPACT.write(JsonReader.strict().read(json))))
                .isEqualTo(JsonReader.strict().read(json));
    }

    @Test
    void writingToAStreamFlushesAndLeavesItOpen() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed.set(true);
            }
        };

        COMPACT.write(Map.of("k", "v"), out);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"k\":\"v\"}");
        assertThat(closed).isFalse();
    }

    @Test
    void valuesThatHaveNoJsonAreRefused() {
        Map<Object, Object> numericKey = new HashMap<>();
        numericKey.put(1, "x");
        Map<String, Object> nullKey = new HashMap<>();
        nullKey.put(null, "x");

        assertThatThrownBy(() -> COMPACT.write(Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.time.Instant");
        assertThatThrownBy(() -> COMPACT.write(numericKey)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> COMPACT.write(nullKey)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> COMPACT.write(List.of(JsonMissing.INSTANCE))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nestingIsBoundedByJacksonsLimitOf1000() {
        List<Object> deepest = new ArrayList<>();
        List<Object> inner = deepest;
        for (int depth = 1; depth < 1000; depth++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        assertThat(COMPACT.write(deepest)).hasSize(2000);

        inner.add(new ArrayList<>());

        assertThatThrownBy(() -> COMPACT.write(deepest)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nesting depth (1001)");
    }
}
