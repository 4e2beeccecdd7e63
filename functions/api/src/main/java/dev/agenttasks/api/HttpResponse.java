package dev.agenttasks.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response: status, headers and a UTF-8 body. */
public record HttpResponse(int status, Map<String, String> headers, String body) {

    public HttpResponse {
        headers = Map.copyOf(headers);
    }

    public static HttpResponse json(int status, String body) {
        return new HttpResponse(status, Map.of("Content-Type", "application/json"), body);
    }

    public HttpResponse withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new HttpResponse(status, copy, body);
    }
}
