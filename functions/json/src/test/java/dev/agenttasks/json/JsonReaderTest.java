package dev.agenttasks.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class JsonReaderTest {

    private static final JsonReader TOLERANT = JsonReader.tolerant();
    private static final JsonReader STRICT = JsonReader.strict();

    private static JsonValue read(String json) {
        try {
            return STRICT.read(json);
        } catch (JsonReadException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonReadException refused(JsonReader reader, String json) {
        return catchThrowableOfType(() -> reader.read(json), JsonReadException.class);
    }

    @Test
    void everyKindOfValueIsReadIntoTheTree() {
        JsonValue root = read("{\"s\":\"text\",\"i\":7,\"d\":1.5,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"x\"],\"o\":{}}");

        assertThat(root).isInstanceOf(JsonObject.class);
        assertThat(((JsonObject) root).members()).containsOnlyKeys("s", "i", "d", "t", "f", "n", "a", "o");
        assertThat(root.path("s")).isEqualTo(new JsonString("text"));
        assertThat(root.path("i")).isEqualTo(new JsonNumber(7));
        assertThat(root.path("d")).isEqualTo(new JsonNumber(1.5));
        assertThat(root.path("t")).isEqualTo(JsonBoolean.TRUE);
        assertThat(root.path("f")).isEqualTo(JsonBoolean.FALSE);
        assertThat(root.path("n")).isEqualTo(JsonNull.INSTANCE);
        assertThat(root.path("a")).isEqualTo(new JsonArray(List.of(new JsonNumber(1), new JsonString("x"))));
        assertThat(root.path("o").isObject()).isTrue();
        assertThat(root.path("o").size()).isZero();
    }

    @Test
    void membersKeepTheDocumentsOrder() {
        JsonObject root = (JsonObject) read("{\"b\":1,\"a\":2,\"c\":3}");

        assertThat(root.members().keySet()).containsExactly("b", "a", "c");
        assertThat(root.elements()).containsExactly(new JsonNumber(1), new JsonNumber(2), new JsonNumber(3));
    }

    @Test
    void pathThroughAnythingAbsentEndsInMissingWithoutFailing() {
        JsonValue root = read("{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"n\":null}");

        assertThat(root.path("choices").path(0).path("message").path("content").asText()).isEqualTo("hi");
        assertThat(root.path("choices").path(1).path("message").isMissing()).isTrue();
        assertThat(root.path("nope").path(0).path("x").isMissing()).isTrue();
        assertThat(root.path("choices").path("message").isMissing()).as("a name on an array").isTrue();
        assertThat(root.path(0).isMissing()).as("an index on an object").isTrue();
        assertThat(root.path("choices").path(-1).isMissing()).isTrue();
    }

    @Test
    void aMemberWhoseValueIsNullIsPresentButNull() {
        JsonValue root = read("{\"n\":null}");

        assertThat(root.has("n")).isTrue();
        assertThat(root.path("n").isNull()).isTrue();
        assertThat(root.path("n").isMissingOrNull()).isTrue();
        assertThat(root.has("m")).isFalse();
        assertThat(root.path("m").isMissingOrNull()).isTrue();
    }

    @Test
    void anEmptyDocumentReadsAsMissing() throws JsonReadException {
        assertThat(STRICT.read("")).isSameAs(JsonMissing.INSTANCE);
        assertThat(TOLERANT.read(" \n\t ")).isSameAs(JsonMissing.INSTANCE);
    }

    @Test
    void integersTakeTheSmallestTypeThatHoldsThem() {
        assertThat(((JsonNumber) read("2147483647")).value()).isEqualTo(Integer.MAX_VALUE);
        assertThat(((JsonNumber) read("-2147483649")).value()).isEqualTo(-2147483649L);
        assertThat(((JsonNumber) read("9223372036854775808")).value()).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(((JsonNumber) read("-0")).value()).isEqualTo(0);

        JsonNumber big = (JsonNumber) read("99999999999999999999");
        assertThat(big.isIntegral()).isTrue();
        assertThat(big.fitsLong()).isFalse();
        assertThat(big.fitsInt()).isFalse();
        assertThat(((JsonNumber) read("2147483648")).fitsInt()).isFalse();
        assertThat(((JsonNumber) read("2147483648")).fitsLong()).isTrue();
    }

    @Test
    void aNumberWithAFractionOrAnExponentIsNeverIntegralEvenWhenWhole() {
        for (String whole : List.of("1.0", "1e2", "1E+2", "100e-2")) {
            JsonNumber number = (JsonNumber) read(whole);
            assertThat(number.isIntegral()).as(whole).isFalse();
            assertThat(number.fitsInt()).as(whole).isFalse();
            assertThat(number.value()).as(whole).isInstanceOf(Double.class);
        }
    }

    @Test
    void exactDecimalsAreBigDecimalsWithoutTrailingZeros() throws JsonReadException {
        JsonReader exact = JsonReader.strict().exactDecimals();

        assertThat(((JsonNumber) exact.read("0.10")).value()).isEqualTo(new BigDecimal("0.1"));
        assertThat(((JsonNumber) exact.read("100.0")).value()).isEqualTo(new BigDecimal("1E+2"));
        assertThat(((JsonNumber) exact.read("-0.000")).value()).isEqualTo(BigDecimal.ZERO);
        assertThat(((JsonNumber) exact.read("12345678901234567890.123456789")).decimalValue())
                .isEqualTo(new BigDecimal("12345678901234567890.123456789"));
        assertThat(((JsonNumber) exact.read("1e3")).toString()).isEqualTo("1E+3");
        assertThat(((JsonNumber) exact.read("7")).value()).as("integers are unchanged").isEqualTo(7);
    }

    @Test
    void aDecimalBeyondADoubleIsInfiniteButBeyondABigDecimalIsAnError() throws JsonReadException {
        assertThat(((JsonNumber) TOLERANT.read("1e400")).doubleValue()).isInfinite();

        JsonReadException e = refused(JsonReader.tolerant().exactDecimals(), "[1e9999999999]");

        assertThat(e.reason()).contains("Exponent overflow");
        assertThat(e.location()).contains(new JsonReadException.Location(1, 2));
    }

    @Test
    void numbersUpToJacksonsLimitOf1000CharactersAreRead() throws JsonReadException {
        String digits = "9".repeat(1000);

        assertThat(((JsonNumber) STRICT.read(digits)).value()).isEqualTo(new BigInteger(digits));
        assertThat(refused(STRICT, digits + "9").reason()).contains("Number value length", "1001", "1000");
    }

    @Test
    void escapesAreDecodedIncludingControlCharactersAndPairsOutsideTheBmp() {
        JsonValue value = read("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0000\\u001f \\u00e9 \\ud83d\\ude00 \u00e9\ud83d\ude00\"");

        assertThat(value.asText()).isEqualTo("q\" b\\ s/ \b\f\n\r\t \u0000\u001f \u00e9 \ud83d\ude00 \u00e9\ud83d\ude00");
    }

    @Test
    void anUnpairedSurrogateInAStringValueIsKeptForTheCallerToJudge() {
        assertThat(read("[\"a\\ud800b\", \"\\udc00\"]").path(0).asText()).isEqualTo("a\ud800b");
        assertThat(read("[\"a\\ud800b\", \"\\udc00\"]").path(1).asText()).isEqualTo("\udc00");
    }

    @Test
    void anUnpairedSurrogateInAMemberNameIsRefusedNamingTheObjectThatHoldsIt() {
        JsonReadException nested = refused(STRICT, "{\"messages\":[{\"role\":\"user\",\"\\ud800\":1}]}");
        JsonReadException root = refused(TOLERANT, "{\"\\udc00x\":1}");

        assertThat(nested.reason()).contains("surrogate", "field name");
        assertThat(nested.enclosingObject()).contains("/messages/0");
        assertThat(root.reason()).contains("surrogate", "field name");
        assertThat(root.enclosingObject()).contains("");
    }

    @Test
    void aRawControlCharacterInAStringIsRefused() {
        JsonReadException e = refused(TOLERANT, "[\"a\u0001\"]");

        assertThat(e.reason()).contains("CTRL-CHAR, code 1");
        assertThat(e.location()).contains(new JsonReadException.Location(1, 4));
    }

    @Test
    void strictReadingRefusesARepeatedMemberNameAndSaysWhere() {
        JsonReadException e = refused(STRICT, "{\"a\":1,\n \"b\":{\"c\":1,\"c\":2}}");

        assertThat(e.reason()).isEqualTo("Duplicate field 'c'");
        assertThat(e.location()).contains(new JsonReadException.Location(2, 16));
        assertThat(e.getMessage()).isEqualTo("Duplicate field 'c' (line 2, column 16)");
    }

    @Test
    void tolerantReadingKeepsTheLastValueOfARepeatedMemberInTheFirstsPlace() throws JsonReadException {
        JsonObject root = (JsonObject) TOLERANT.read("{\"a\":1,\"b\":2,\"a\":3}");

        assertThat(root.members().keySet()).containsExactly("a", "b");
        assertThat(root.path("a")).isEqualTo(new JsonNumber(3));
    }

    @Test
    void strictReadingRefusesAnythingAfterTheValueAtTheStartOfIt() {
        JsonReadException sameLine = refused(STRICT, "{\"a\":1} 2");
        JsonReadException laterLine = refused(STRICT, "{}\n\n  {}");

        assertThat(sameLine.reason()).startsWith("Trailing token (of type VALUE_NUMBER_INT) found after the value");
        assertThat(sameLine.location()).contains(new JsonReadException.Location(1, 9));
        assertThat(laterLine.location()).contains(new JsonReadException.Location(3, 3));
        assertThat(laterLine.enclosingObject()).isEmpty();
        assertThat(refused(STRICT, "{} x").reason()).as("malformed trailing content is a syntax error")
                .startsWith("Unrecognized token 'x'");
    }

    @Test
    void tolerantReadingStopsAfterTheFirstValue() throws JsonReadException {
        assertThat(TOLERANT.read("{\"a\":1} {\"b\":2} garbage")).isEqualTo(read("{\"a\":1}"));
    }

    @Test
    void nestingIsBoundedByJacksonsLimitOf1000() throws JsonReadException {
        String deepest = "[".repeat(1000) + "]".repeat(1000);
        String tooDeep = "{\"a\":".repeat(1001) + "1" + "}".repeat(1001);

        JsonValue value = STRICT.read(deepest);
        for (int depth = 1; depth < 1000; depth++) {
            value = value.path(0);
        }
        assertThat(value.isArray()).isTrue();
        assertThat(value.size()).isZero();
        JsonReadException e = refused(STRICT, tooDeep);
        assertThat(e.reason()).startsWith("Document nesting depth (1001) exceeds the maximum allowed (1000");
        assertThat(e.location()).as("jackson-core gives no place for it").isEmpty();
    }

    @Test
    void malformedDocumentsAreRefusedWithJacksonsReasonAndPlace() {
        assertThat(refused(STRICT, "[1,]").reason()).startsWith("Unexpected character (']' (code 93))");
        assertThat(refused(STRICT, "[1,]").location()).contains(new JsonReadException.Location(1, 4));
        assertThat(refused(STRICT, "01").reason()).contains("Leading zeroes not allowed");
        assertThat(refused(STRICT, "NaN").reason()).startsWith("Non-standard token 'NaN'");
        assertThat(refused(STRICT, "{'a':1}").reason()).startsWith("Unexpected character (''' (code 39))");
        assertThat(refused(STRICT, "[1 // no comments\n]").reason()).contains("ALLOW_COMMENTS");
        assertThat(refused(STRICT, "{\"a\":1").reason()).startsWith("Unexpected end-of-input");
        assertThat(refused(STRICT, "{\"a\":1}}").reason()).startsWith("Unexpected close marker '}'");
    }

    @Test
    void aStreamIsReadAsUtf8AndLeftOpenForItsOwner() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        ByteArrayInputStream in = new ByteArrayInputStream("{\"h\":\"\u00e9\ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8)) {
            @Override
            public void close() {
                closed.set(true);
            }
        };

        assertThat(TOLERANT.read(in).path("h").asText()).isEqualTo("\u00e9\ud83d\ude00");
        assertThat(closed).isFalse();
        assertThatThrownBy(() -> STRICT.read(new ByteArrayInputStream("{\"a\":".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(JsonReadException.class);
    }

    @Test
    void asTextReadsEveryValueAsText() {
        JsonValue root = read("{\"s\":\"x\",\"i\":12,\"d\":1e3,\"t\":true,\"n\":null,\"a\":[1],\"o\":{\"k\":1}}");

        assertThat(List.of("s", "i", "d", "t", "n", "a", "o", "missing").stream().map(n -> root.path(n).asText()))
                .containsExactly("x", "12", "1000.0", "true", "null", "", "", "");
        assertThat(List.of("s", "i", "n", "a", "missing").stream().map(n -> root.path(n).asText("fallback")))
                .containsExactly("x", "12", "fallback", "", "fallback");
    }

    @Test
    void asLongConvertsNumbersParsesNumericTextAndFallsBackForTheRest() {
        JsonValue root = read("[12, 12.7, -12.7, 1e30, \"12\", \" +5 \", \"12.7\", \"1e3\", \"abc\", \"\","
                + " \"9223372036854775808\", true, false, null, {}, []]");

        assertThat(root.elements().stream().map(v -> v.asLong(-1)))
                .containsExactly(12L, 12L, -12L, Long.MAX_VALUE, 12L, 5L, 12L, 1000L, -1L, -1L, -1L, 1L, 0L, -1L, -1L, -1L);
        assertThat(root.elements().stream().map(v -> v.asInt(-1)))
                .containsExactly(12, 12, -12, Integer.MAX_VALUE, 12, 5, 12, 1000, -1, -1, -1, 1, 0, -1, -1, -1);
        assertThat(root.path(99).asLong(7)).isEqualTo(7);
        assertThat(read("2147483648").asInt()).as("a long's low bits, as Java's conversion").isEqualTo(Integer.MIN_VALUE);
    }

    @Test
    void theTreeIsImmutable() {
        JsonValue root = read("{\"a\":[1]}");

        assertThatThrownBy(() -> ((JsonObject) root).members().put("b", JsonNull.INSTANCE))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> root.path("a").elements().add(JsonNull.INSTANCE))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> root.elements().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aTreePrintsAsCompactJson() {
        String json = "{\"a\":[1,2.5,\"x\\n\",true,null],\"b\":{}}";

        assertThat(read(json).toString()).isEqualTo(json);
        assertThat(JsonMissing.INSTANCE.toString()).isEmpty();
    }
}
