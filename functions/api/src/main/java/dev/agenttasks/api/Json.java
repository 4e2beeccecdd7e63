package dev.agenttasks.api;

import dev.agenttasks.json.JsonWriter;

/** JSON responses. */
final class Json {

    /** Money ({@code cost_usd}) is a BigDecimal: written as 0.000123, never 1.23E-4. */
    static final JsonWriter WRITER = JsonWriter.compact().plainDecimals();

    private Json() {
    }

    static HttpResponse response(int status, Object body) {
        return HttpResponse.json(status, WRITER.write(body));
    }
}
