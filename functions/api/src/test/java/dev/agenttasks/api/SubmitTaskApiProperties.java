package dev.agenttasks.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Whatever a caller sends to {@code POST /tasks}, the answer is a 2xx or a well-formed 4xx problem. */
class SubmitTaskApiProperties {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiHarness api = new ApiHarness();

    @Property(tries = 500)
    void anyRequestGetsA2xxOrAProblem(@ForAll("requests") HttpRequest request) {
        HttpResponse response = api.submit(request);

        JsonNode body = ResponseChecks.check(response, request.body() + " " + request.headers());
        if (response.status() == 202) {
            assertThat(body.path("status").asText()).isEqualTo("pending");
            assertThat(response.headers().get("Location")).isEqualTo("/tasks/" + body.path("task_id").asText());
        }
        if (request.caller().isEmpty()) {
            assertThat(response.status()).isEqualTo(401);
        }
    }

    @Property(tries = 500)
    void anyJsonObjectGetsA2xxOrAProblem(@ForAll("objects") String body,
                                         @ForAll("idempotencyKeys") Optional<String> key) {
        HttpRequest request = ApiHarness.post("caller", body, "Idempotency-Key", key.orElse(null));

        HttpResponse response = api.submit(request);

        ResponseChecks.check(response, body + " " + key.orElse(""));
        assertThat(response.status()).isIn(200, 202, 400, 413, 422);
    }

    @Property(tries = 300)
    void aBodyWithAnUnpairedSurrogateIsNeverAccepted(@ForAll("objects") String object,
                                                            @ForAll("loneSurrogates") String surrogate,
                                                            @ForAll boolean inAName) throws JsonProcessingException {
        Map<String, Object> body = new HashMap<>(JSON.readValue(object, Map.class));
        if (inAName) {
            body.put("task", "t");
            body.put("idempotency_key", Map.of("x" + surrogate, 1));
        } else {
            body.put("task", "a" + surrogate + "b");
        }

        HttpResponse response = api.submit(ApiHarness.post("caller", write(body)));

        ResponseChecks.check(response, write(body));
        assertThat(response.status()).isEqualTo(422);
    }

    @Provide
    Arbitrary<String> loneSurrogates() {
        return Arbitraries.chars().range('\ud800', '\udfff').map(String::valueOf);
    }

    @Property(tries = 200)
    void aValidBodyIsAcceptedAndReplayedWithTheSameTask(@ForAll("validTasks") String task,
                                                        @ForAll("validKeys") String key) throws JsonProcessingException {
        String body = JSON.writeValueAsString(Map.of("task", task));
        ApiHarness fresh = new ApiHarness();

        HttpResponse first = fresh.submit(ApiHarness.post("caller", body, "Idempotency-Key", key));
        HttpResponse again = fresh.submit(ApiHarness.post("caller", body, "Idempotency-Key", key));

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.headers().get("Location")).isEqualTo(first.headers().get("Location"));
        assertThat(JSON.readTree(again.body()).path("task_id").asText())
                .isEqualTo(first.headers().get("Location").substring("/tasks/".length()));
    }

    @Provide
    Arbitrary<HttpRequest> requests() {
        Arbitrary<Optional<String>> callers = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(Optional.of("caller"))),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(40).map(Optional::of)),
                Tuple.of(1, Arbitraries.just(Optional.<String>empty())));
        Arbitrary<String> bodies = Arbitraries.frequencyOf(
                Tuple.of(3, objects()),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(200)),
                Tuple.of(2, jsonValues(4).map(SubmitTaskApiProperties::write)),
                Tuple.of(2, objects().flatMap(SubmitTaskApiProperties::mutated)),
                Tuple.of(1, deepNesting()),
                Tuple.of(1, huge()),
                Tuple.of(1, Arbitraries.just(null)));
        return Combinators.combine(callers, contentTypes(), idempotencyKeys(), bodies, extraHeaders())
                .as((caller, contentType, key, body, extra) -> {
                    Map<String, String> headers = new HashMap<>(extra);
                    contentType.ifPresent(v -> headers.put("Content-Type", v));
                    key.ifPresent(v -> headers.put("Idempotency-Key", v));
                    return new HttpRequest("POST", "/tasks", headers, Map.of(), body, caller, "req");
                });
    }

    @Provide
    Arbitrary<String> objects() {
        Arbitrary<String> names = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("task", "idempotency_key", "max_tokens")),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(12)),
                Tuple.of(1, Arbitraries.of("", "/", "~", "a/b~c", "task ", "TASK", "\ud800", "\u0000")));
        Arbitrary<Object> values = Arbitraries.frequencyOf(
                Tuple.of(4, tasks().map(Object.class::cast)),
                Tuple.of(2, Arbitraries.integers().between(-2, 8200).map(Object.class::cast)),
                Tuple.of(1, Arbitraries.of(0, 1, 8192, 8193, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
                        5.0, 1e3, -0.0, 1.5, Double.MAX_VALUE).map(Object.class::cast)),
                Tuple.of(2, jsonValues(3)));
        return Arbitraries.maps(names, values).ofMaxSize(5).map(SubmitTaskApiProperties::write);
    }

    @Provide
    Arbitrary<String> tasks() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().all().ofMinLength(0).ofMaxLength(60)),
                Tuple.of(2, Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(60)),
                Tuple.of(1, Arbitraries.of(" ", "\t\n", "\u00a0", "\u2007", "\u3000", "\ud800", "\udfff",
                        "a\ud800", "\ud83d\ude00", "\u0000", "</script>")),
                Tuple.of(1, Arbitraries.integers().between(31_990, 32_010).map("x"::repeat)),
                Tuple.of(1, Arbitraries.integers().between(15_990, 16_010).map("\ud83d\ude00"::repeat)));
    }

    @Provide
    Arbitrary<String> validTasks() {
        // Short enough for the default tiers' 5 200-token input limit: a longer task is refused as too large a prompt.
        return tasks().filter(t -> !t.isBlank() && t.length() <= 4_000 && wellFormedUtf16(t));
    }

    /** Whether every surrogate in {@code text} is half of a pair. */
    static boolean wellFormedUtf16(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    @Provide
    Arbitrary<Optional<String>> idempotencyKeys() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Optional.<String>empty())),
                Tuple.of(2, validKeys().map(Optional::of)),
                Tuple.of(1, validKeys().map(k -> Optional.of("\"" + k + "\""))),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(300).map(Optional::of)),
                Tuple.of(1, Arbitraries.of("", " ", "\"\"", "\"", "\"a", "k".repeat(255), "k".repeat(256),
                        "\"" + "k".repeat(255) + "\"", "é", "\u007f", "a\tb").map(Optional::of)));
    }

    @Provide
    Arbitrary<String> validKeys() {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(255);
    }

    private static Arbitrary<Optional<String>> contentTypes() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(Optional.of("application/json"))),
                Tuple.of(1, Arbitraries.just(Optional.<String>empty())),
                Tuple.of(2, Arbitraries.of("application/json; charset=utf-8", "APPLICATION/JSON;CHARSET=\"UTF-8\"",
                        "application/problem+json", "application/json; charset=latin1", "text/plain", "",
                        ";", "application/json;", "application/json; charset=", "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=x", "application/+json").map(Optional::of)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(60).map(Optional::of)));
    }

    private static Arbitrary<Map<String, String>> extraHeaders() {
        return Arbitraries.maps(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10),
                Arbitraries.strings().all().ofMaxLength(30)).ofMaxSize(3);
    }

    /** Any JSON value: scalars of every type, arrays and objects nested up to {@code depth}. */
    static Arbitrary<Object> jsonValues(int depth) {
        Arbitrary<Object> scalars = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(30).map(Object.class::cast),
                Arbitraries.integers().map(Object.class::cast),
                Arbitraries.longs().map(Object.class::cast),
                Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(),
                        java.math.BigInteger.TEN.pow(30)).map(Object.class::cast),
                Arbitraries.doubles().map(Object.class::cast),
                Arbitraries.of(true, false).map(Object.class::cast),
                Arbitraries.just(null));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<Object> inner = Arbitraries.lazy(() -> jsonValues(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(4, scalars),
                Tuple.of(1, inner.list().ofMaxSize(4).map(Object.class::cast)),
                Tuple.of(1, Arbitraries.maps(Arbitraries.strings().all().ofMaxLength(8), inner).ofMaxSize(4)
                        .map(Object.class::cast)));
    }

    /** Valid JSON with a cut, a stray character, or a duplicated member. */
    private static Arbitrary<String> mutated(String json) {
        return Arbitraries.integers().between(0, json.length()).flatMap(at -> Arbitraries.oneOf(
                Arbitraries.just(json.substring(0, at)),
                Arbitraries.chars().map(c -> json.substring(0, at) + c + json.substring(at)),
                Arbitraries.just(json.length() > 2 ? json.substring(0, json.length() - 1) + ","
                        + json.substring(1) : json),
                Arbitraries.just(json + json)));
    }

    private static Arbitrary<String> deepNesting() {
        return Arbitraries.integers().between(1, 2_000).flatMap(depth -> Arbitraries.oneOf(
                Arbitraries.just("{\"task\":" + "[".repeat(depth) + "]".repeat(depth) + "}"),
                Arbitraries.just("{\"task\":\"t\",\"x\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) + "}"),
                Arbitraries.just("[".repeat(depth))));
    }

    private static Arbitrary<String> huge() {
        int limit = SubmitTaskApi.DEFAULT_MAX_BODY_BYTES;
        return Arbitraries.integers().between(limit - 64, limit + 64).flatMap(size -> Arbitraries.of(
                "{\"task\":\"" + "y".repeat(Math.max(0, size - 12)) + "\"}",
                "{\"task\":\"t\",\"pad\":\"" + "é".repeat(size / 2) + "\"}",
                "{\"task\":\"t\",\"n\":" + "7".repeat(size) + "}",
                " ".repeat(size)));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
