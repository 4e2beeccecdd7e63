package dev.agenttasks.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.agenttasks.json.JsonWriter;

/** An RFC 9457 problem document, rendered as {@code application/problem+json}. */
public record Problem(ProblemType type, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** ASCII only: a pointer or path echoed from the request may hold an unpaired surrogate, which UTF-8 cannot carry. */
    private static final JsonWriter JSON = JsonWriter.compact().asciiOnly();

    /** One invalid field: a JSON pointer into the request body and what is wrong with it. */
    public record FieldError(String pointer, String detail) {
    }

    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, detail, null, List.of());
    }

    /** 405 for {@code request}, with the {@code Allow} header naming the method the resource takes. */
    public static HttpResponse methodNotAllowed(HttpRequest request, String allow) {
        return of(ProblemType.METHOD_NOT_ALLOWED, request.method() + " is not allowed here; use " + allow)
                .withInstance(request.path()).toResponse().withHeader("Allow", allow);
    }

    public Problem withInstance(String instance) {
        return new Problem(type, detail, instance, errors);
    }

    public HttpResponse toResponse() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.uri());
        body.put("title", type.title());
        body.put("status", type.status());
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        if (!errors.isEmpty()) {
            body.put("errors", errors.stream()
                    .map(e -> {
                        Map<String, String> error = new LinkedHashMap<>();
                        error.put("pointer", e.pointer());
                        error.put("detail", e.detail());
                        return error;
                    }).toList());
        }
        return new HttpResponse(type.status(), Map.of("Content-Type", MEDIA_TYPE), JSON.write(body));
    }
}
