package dev.agenttasks.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Sends requests: authentication on every attempt, retries by the {@link RetryPolicy}, errors as exceptions. */
final class Transport {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    static final String USER_AGENT = "agent-tasks-client";

    /** A request relative to the base URL. */
    record Call(String method, String pathAndQuery, Map<String, String> headers, byte[] body, Duration extraTimeout) {
        Call {
            headers = Map.copyOf(headers);
        }

        static Call get(String pathAndQuery) {
            return new Call("GET", pathAndQuery, Map.of(), null, Duration.ZERO);
        }
    }

    /** An answer as received. */
    record Response(int status, HttpHeaders headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("the API answered HTTP " + status + " with a body that is not JSON: "
                        + TaskView.abbreviate(text()), e);
            }
        }
    }

    private final String base;
    private final Auth auth;
    private final HttpClient http;
    private final RetryPolicy policy;
    private final Duration requestTimeout;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    Transport(URI baseUrl, Auth auth, HttpClient http, RetryPolicy policy, Duration requestTimeout, Clock clock,
              Sleeper sleeper, RandomGenerator random) {
        String text = baseUrl.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        this.base = text;
        this.auth = auth;
        this.http = http;
        this.policy = policy;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
    }

    RetryPolicy policy() {
        return policy;
    }

    Clock clock() {
        return clock;
    }

    Sleeper sleeper() {
        return sleeper;
    }

    RandomGenerator random() {
        return random;
    }

    URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    /**
     * Sends {@code call}, again after a network error, a 429 or a 5xx while the policy allows.
     *
     * @return a 2xx or 304 answer
     * @throws ProblemException    for any other answer, redirects included (the last one, when retried)
     * @throws TransportException  when no attempt got an answer
     * @throws AgentTasksException when interrupted
     */
    Response send(Call call) {
        int attempt = 0;
        while (true) {
            attempt++;
            Optional<Duration> retryAfter;
            try {
                Response response = sendOnce(call);
                if (response.status() < 300 || response.status() == 304) {
                    return response;
                }
                ProblemException problem = problem(response);
                retryAfter = problem.retryAfter();
                if (!RetryPolicy.retryable(response.status()) || attempt >= policy.maxAttempts()
                        || retryAfter.filter(after -> after.compareTo(policy.maxRetryAfter()) > 0).isPresent()) {
                    throw problem;
                }
            } catch (IOException e) {
                if (attempt >= policy.maxAttempts()) {
                    throw new TransportException("no answer from " + uri(call.pathAndQuery()) + " after " + attempt
                            + (attempt == 1 ? " attempt: " : " attempts: ") + describe(e), attempt, e);
                }
                retryAfter = Optional.empty();
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            try {
                sleeper.sleep(policy.delay(attempt, retryAfter, random));
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
        }
    }

    /** One attempt; every answer is returned as it is. */
    Response sendOnce(Call call) throws IOException, InterruptedException {
        URI uri = uri(call.pathAndQuery());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json, application/problem+json");
        if (call.body() != null) {
            headers.put("Content-Type", "application/json");
        }
        headers.putAll(call.headers());
        Map<String, String> authHeaders = auth.headers(new Auth.Request(call.method(), uri, Map.copyOf(headers),
                call.body() == null ? new byte[0] : call.body(), clock.instant()));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout.plus(call.extraTimeout()))
                .header("User-Agent", USER_AGENT)
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(call.body()));
        headers.forEach(request::header);
        authHeaders.forEach(request::header);
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.headers(), response.body() == null ? new byte[0] : response.body());
    }

    /** The answer's problem document, or one made up from a body that is not one. */
    ProblemException problem(Response response) {
        Optional<Duration> retryAfter = response.header("Retry-After").flatMap(value -> retryAfter(value, clock.instant()));
        String body = response.text();
        JsonNode node = null;
        try {
            node = body.isBlank() ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // not JSON: described below
        }
        if (node != null && node.isObject() && node.path("type").isTextual()) {
            List<ProblemException.FieldError> errors = new ArrayList<>();
            for (JsonNode error : node.path("errors")) {
                errors.add(new ProblemException.FieldError(error.path("pointer").asText(""), error.path("detail").asText("")));
            }
            return new ProblemException(response.status(), node.get("type").asText(),
                    node.path("title").asText(reason(response.status())), node.path("detail").asText(null),
                    node.path("instance").isTextual() ? node.get("instance").asText() : null, errors, retryAfter, body);
        }
        String detail = node != null && node.path("message").isTextual() ? node.get("message").asText()
                : body.isBlank() ? null : TaskView.abbreviate(body);
        return new ProblemException(response.status(), "about:blank", reason(response.status()), detail, null,
                List.of(), retryAfter, body);
    }

    static AgentTasksException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new AgentTasksException("interrupted", e);
    }

    /** {@code Retry-After}: delay-seconds or an HTTP-date; empty for anything else. */
    static Optional<Duration> retryAfter(String value, Instant now) {
        String trimmed = value.strip();
        try {
            long seconds = Long.parseLong(trimmed);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration delay = Duration.between(now, at);
                return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    static String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP " + status;
        };
    }
}
