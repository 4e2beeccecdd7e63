package dev.agenttasks.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What every API response must be, whatever the request: the invariants the property tests check. */
final class ResponseChecks {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Signs of internals leaking: exception and package names, stack frames, Jackson's own vocabulary. */
    private static final List<String> FORBIDDEN = List.of("Exception", "at dev.", "java.", "javax.", "com.fasterxml",
            "jackson", "Jackson", "StreamRead", "JsonParser", "REDACTED", "dev.agenttasks", "software.amazon",
            "Caused by", "NullPointer", "ClassCast");
    /** A method reference like {@code StreamReadConstraints.getMaxNumberLength()} or a qualified class name. */
    private static final Pattern CODE_REFERENCE = Pattern.compile(
            "\\b[A-Z][A-Za-z0-9]*\\.[a-z][A-Za-z0-9]*\\(\\)|\\b[a-z]+\\.[a-z]+\\.[A-Z][A-Za-z0-9]+");

    private ResponseChecks() {
    }

    /**
     * Never a 5xx; success is {@code application/json}; anything else a problem document whose status is the
     * response's and whose type is one of ours; nothing internal is named unless the caller sent it first.
     */
    static JsonNode check(HttpResponse response, String callerInput) {
        String description = "response " + response.status() + " " + abbreviate(response.body());
        assertThat(response.status()).as(description).isBetween(200, 499);
        assertThat(response.body()).as(description).isNotNull();
        assertThat(new String(response.body().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .as("the body survives UTF-8 on the wire: %s", description).isEqualTo(response.body());
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError("the body is not JSON: " + description, e);
        }
        String contentType = response.headers().get("Content-Type");
        if (response.status() < 300) {
            assertThat(contentType).as(description).isEqualTo("application/json");
            assertThat(body.isObject()).as(description).isTrue();
        } else {
            assertThat(contentType).as(description).isEqualTo("application/problem+json");
            assertThat(body.path("type").asText()).as(description).startsWith(ProblemType.URI_PREFIX);
            assertThat(body.path("status").isInt()).as(description).isTrue();
            assertThat(body.path("status").asInt()).as(description).isEqualTo(response.status());
            assertThat(body.path("title").asText()).as(description).isNotBlank();
            assertThat(body.path("detail").isTextual()).as(description).isTrue();
        }
        String input = callerInput == null ? "" : callerInput;
        for (String forbidden : FORBIDDEN) {
            if (!input.contains(forbidden)) {
                assertThat(response.body()).as("leaks %s: %s", forbidden, description).doesNotContain(forbidden);
            }
        }
        var reference = CODE_REFERENCE.matcher(response.body());
        while (reference.find()) {
            assertThat(input).as("names code (%s): %s", reference.group(), description).contains(reference.group());
        }
        return body;
    }

    private static String abbreviate(String body) {
        return body == null || body.length() <= 300 ? String.valueOf(body) : body.substring(0, 300) + "…";
    }
}
