package dev.agenttasks.api;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP request as the API sees it, free of any gateway's event type. Header names are
 * case-insensitive; {@code caller} is the authenticated identity, or empty when there is none. A query
 * parameter given more than once holds its values joined by commas, as API Gateway passes them.
 */
public record HttpRequest(String method, String path, Map<String, String> headers, Map<String, String> pathParameters,
                          Map<String, String> queryParameters, String body, Optional<String> caller, String requestId) {

    public HttpRequest {
        TreeMap<String, String> normalized = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            normalized.putAll(headers);
        }
        headers = Collections.unmodifiableMap(normalized);
        pathParameters = pathParameters == null ? Map.of() : Map.copyOf(pathParameters);
        queryParameters = queryParameters == null ? Map.of() : Map.copyOf(queryParameters);
        method = method == null ? "" : method.toUpperCase(Locale.ROOT);
        caller = caller == null ? Optional.empty() : caller;
    }

    /** A request without query parameters. */
    public HttpRequest(String method, String path, Map<String, String> headers, Map<String, String> pathParameters,
                       String body, Optional<String> caller, String requestId) {
        this(method, path, headers, pathParameters, Map.of(), body, caller, requestId);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    public Optional<String> pathParameter(String name) {
        return Optional.ofNullable(pathParameters.get(name));
    }

    public Optional<String> queryParameter(String name) {
        return Optional.ofNullable(queryParameters.get(name));
    }
}
