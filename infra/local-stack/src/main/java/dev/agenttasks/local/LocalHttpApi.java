package dev.agenttasks.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.agenttasks.api.Problem;
import dev.agenttasks.api.ProblemType;
import dev.agenttasks.localaws.SamTemplate.HttpRoute;

/**
 * An API Gateway HTTP API on a local socket: matches the template's routes, authenticates bearer tokens
 * against {@code LOCAL_API_KEYS}, and invokes the function with a payload-format-2.0 event built the way
 * API Gateway builds it (the caller goes into the JWT authorizer claims). Payload limits sit where AWS puts
 * them and answer as API Gateway does ({@code 413 {"message":"Request Entity Too Large"}}): a body over
 * API Gateway's 10 MB, and an event over Lambda's 6 MB invocation limit, which a function never sees.
 */
final class LocalHttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalHttpApi.class);
    /** API Gateway HTTP API's payload quota (10 MB, not adjustable): a larger body never reaches a route. */
    static final int MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
    /**
     * Lambda's limit on a synchronous invocation's request payload, the whole event (6 MB; Invoke refuses
     * 6,291,457 bytes and more with RequestEntityTooLargeException), which API Gateway answers with 413.
     */
    static final int MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;
    /** What API Gateway HTTP API answers for a request too large for it or for the Lambda invocation. */
    static final String REQUEST_TOO_LARGE = "{\"message\":\"Request Entity Too Large\"}";
    private static final ObjectMapper EVENT_JSON = JsonMapper.builder()
            .serializationInclusion(JsonInclude.Include.NON_NULL).build();
    static final String LOCAL_ISSUER = "local";
    static final String ANONYMOUS_CALLER = "local";
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** A route bound to its function. */
    record Binding(HttpRoute route, Pattern pattern, List<String> parameters, LocalFunction<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> function) {
    }

    private final List<Binding> bindings = new ArrayList<>();
    private final Optional<Map<String, String>> apiKeys;
    private final HttpServer server;
    private final ExecutorService executor;

    LocalHttpApi(String host, int port, Optional<Map<String, String>> apiKeys) throws IOException {
        this.apiKeys = apiKeys;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 128);
        this.executor = Executors.newFixedThreadPool(32, runnable -> {
            Thread thread = new Thread(runnable, "http-api");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::serve);
    }

    void bind(HttpRoute route, LocalFunction<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> function) {
        List<String> parameters = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        Matcher matcher = Pattern.compile("\\{([^}/]+?)(\\+?)}").matcher(route.path());
        int last = 0;
        while (matcher.find()) {
            regex.append(Pattern.quote(route.path().substring(last, matcher.start())));
            regex.append(matcher.group(2).isEmpty() ? "([^/]+)" : "(.+)");
            parameters.add(matcher.group(1));
            last = matcher.end();
        }
        regex.append(Pattern.quote(route.path().substring(last)));
        bindings.add(new Binding(route, Pattern.compile(route.path().equals("$default") ? ".*" : regex.toString()),
                parameters, function));
    }

    void start() {
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getRawPath();
            byte[] body = readBody(exchange.getRequestBody());
            if (body == null) {
                send(exchange, requestTooLarge());
                return;
            }
            Optional<Match> match = match(method, decodePath(path));
            if (match.isEmpty()) {
                send(exchange, problem(ProblemType.NOT_FOUND, "no route for " + method + " " + path, path));
                return;
            }
            Binding binding = match.get().binding();
            Optional<String> caller = Optional.empty();
            if (binding.route().authorized()) {
                caller = authenticate(exchange.getRequestHeaders());
                if (caller.isEmpty()) {
                    APIGatewayV2HTTPResponse unauthorized = problem(ProblemType.UNAUTHENTICATED,
                            "send Authorization: Bearer <token> with a token listed in LOCAL_API_KEYS", path);
                    unauthorized.getHeaders().put("WWW-Authenticate", "Bearer realm=\"agent-tasks\"");
                    send(exchange, unauthorized);
                    return;
                }
            }
            APIGatewayV2HTTPEvent event = event(exchange, method, path, body, match.get(), caller);
            if (invocationPayloadBytes(event) > MAX_INVOCATION_PAYLOAD_BYTES) {
                LOG.warn("{} {}: the event is over Lambda's {}-byte invocation limit; answering 413 without invoking {}",
                        method, path, MAX_INVOCATION_PAYLOAD_BYTES, binding.function().name());
                send(exchange, requestTooLarge());
                return;
            }
            APIGatewayV2HTTPResponse response;
            try {
                response = binding.function().invoke(event);
            } catch (RuntimeException e) {
                LOG.error("{} failed on {} {}", binding.function().name(), method, path, e);
                response = APIGatewayV2HTTPResponse.builder().withStatusCode(500)
                        .withHeaders(new HashMap<>(Map.of("Content-Type", "application/json")))
                        .withBody("{\"message\":\"Internal Server Error\"}").build();
            }
            send(exchange, response);
        } catch (RuntimeException e) {
            LOG.error("local gateway failure", e);
        }
    }

    private record Match(Binding binding, Map<String, String> pathParameters) {
    }

    /** The most specific route: exact method before ANY, then fewer path parameters, {@code $default} last. */
    private Optional<Match> match(String method, String path) {
        Match best = null;
        int bestScore = Integer.MIN_VALUE;
        for (Binding binding : bindings) {
            String routeMethod = binding.route().method();
            boolean isDefault = binding.route().path().equals("$default");
            if (!isDefault && !routeMethod.equals(method) && !routeMethod.equals("ANY")) {
                continue;
            }
            Matcher matcher = binding.pattern().matcher(path);
            if (!matcher.matches()) {
                continue;
            }
            int score = isDefault ? -1000 : (routeMethod.equals("ANY") ? 0 : 100) - binding.parameters().size() * 10;
            if (score > bestScore) {
                Map<String, String> parameters = new LinkedHashMap<>();
                for (int i = 0; i < binding.parameters().size(); i++) {
                    parameters.put(binding.parameters().get(i), matcher.group(i + 1));
                }
                best = new Match(binding, parameters);
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    private Optional<String> authenticate(Headers headers) {
        if (apiKeys.isEmpty()) {
            return Optional.of(ANONYMOUS_CALLER);
        }
        String authorization = headers.getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.ofNullable(apiKeys.get().get(authorization.substring(7).trim()));
    }

    private APIGatewayV2HTTPEvent event(HttpExchange exchange, String method, String path, byte[] body, Match match,
                                        Optional<String> caller) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("cookie")) {
                values.forEach(v -> cookies.addAll(List.of(v.split(";\\s*"))));
            } else {
                headers.put(lower, String.join(",", values));
            }
        });
        String rawQuery = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
        Map<String, String> query = new LinkedHashMap<>();
        if (!rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                String[] kv = pair.split("=", 2);
                String key = decode(kv[0]);
                String value = kv.length > 1 ? decode(kv[1]) : "";
                query.merge(key, value, (a, b) -> a + "," + b);
            }
        }
        Instant now = Instant.now();
        String routeKey = match.binding().route().path().equals("$default") ? "$default"
                : match.binding().route().method() + " " + match.binding().route().path();
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = null;
        if (caller.isPresent()) {
            authorizer = APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                    .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                            .withClaims(Map.of("sub", caller.get(), "iss", LOCAL_ISSUER))
                            .withScopes(List.of())
                            .build())
                    .build();
        }
        APIGatewayV2HTTPEvent.RequestContext context = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withAccountId("000000000000")
                .withApiId("local")
                .withDomainName(headers.getOrDefault("host", "127.0.0.1"))
                .withDomainPrefix("local")
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                        .withMethod(method)
                        .withPath(path)
                        .withProtocol(exchange.getProtocol())
                        .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress())
                        .withUserAgent(headers.getOrDefault("user-agent", ""))
                        .build())
                .withRequestId(UUID.randomUUID().toString())
                .withRouteKey(routeKey)
                .withStage("$default")
                .withTime(REQUEST_TIME.format(now))
                .withTimeEpoch(now.toEpochMilli())
                .withAuthorizer(authorizer)
                .build();
        String text = body.length == 0 ? null : asText(body, headers.get("content-type"));
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(routeKey)
                .withRawPath(path)
                .withRawQueryString(rawQuery)
                .withCookies(cookies.isEmpty() ? null : cookies)
                .withHeaders(headers)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withPathParameters(match.pathParameters().isEmpty() ? null : match.pathParameters())
                .withRequestContext(context)
                .withBody(body.length == 0 ? null : text != null ? text : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && text == null)
                .build();
    }

    /** The body as text when it is a textual media type in valid UTF-8; null means send it base64-encoded. */
    private static String asText(byte[] body, String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        boolean textual = type.isEmpty() || type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.contains("x-www-form-urlencoded") || type.contains("javascript");
        if (!textual) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The size of the invocation's request payload: the event as JSON. */
    static int invocationPayloadBytes(APIGatewayV2HTTPEvent event) {
        try {
            return EVENT_JSON.writeValueAsBytes(event).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the event", e);
        }
    }

    private static APIGatewayV2HTTPResponse requestTooLarge() {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(413)
                .withHeaders(new HashMap<>(Map.of("Content-Type", "application/json")))
                .withBody(REQUEST_TOO_LARGE).build();
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_PAYLOAD_BYTES + 1);
        return body.length > MAX_PAYLOAD_BYTES ? null : body;
    }

    private static String decodePath(String rawPath) {
        try {
            return URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return rawPath;
        }
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }

    private static APIGatewayV2HTTPResponse problem(ProblemType type, String detail, String path) {
        var response = Problem.of(type, detail).withInstance(path).toResponse();
        return APIGatewayV2HTTPResponse.builder().withStatusCode(response.status())
                .withHeaders(new HashMap<>(response.headers())).withBody(response.body()).build();
    }

    private static void send(HttpExchange exchange, APIGatewayV2HTTPResponse response) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        if (response.getHeaders() != null) {
            response.getHeaders().forEach(headers::set);
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
        }
        if (response.getCookies() != null) {
            response.getCookies().forEach(cookie -> headers.add("Set-Cookie", cookie));
        }
        byte[] body = response.getBody() == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(response.getBody())
                : response.getBody().getBytes(StandardCharsets.UTF_8);
        if (!headers.containsKey("Content-Type") && body.length > 0) {
            headers.set("Content-Type", "application/json");
        }
        headers.set("Apigw-Requestid", UUID.randomUUID().toString());
        boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
        exchange.sendResponseHeaders(response.getStatusCode(), head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
