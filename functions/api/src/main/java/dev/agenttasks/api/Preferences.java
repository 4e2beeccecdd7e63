package dev.agenttasks.api;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code Prefer} header (RFC 7240) as far as this API acts on it: {@code wait=N}, the seconds a caller will
 * wait for a task to finish within the request. Other preferences are ignored, as the RFC asks; a malformed
 * {@code wait} is a 400. A wait longer than {@link #MAX_WAIT} is shortened to it (API Gateway ends a request
 * after 30 s).
 */
final class Preferences {

    static final Duration MAX_WAIT = Duration.ofSeconds(20);

    private Preferences() {
    }

    /** The wait asked for, at most {@link #MAX_WAIT}; empty when the request does not ask. */
    static Optional<Duration> waitOf(HttpRequest request) {
        Optional<String> header = request.header("Prefer");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        Optional<Duration> wait = Optional.empty();
        for (String preference : header.get().split(",")) {
            String token = preference.split(";", 2)[0].trim();
            int equals = token.indexOf('=');
            String name = (equals < 0 ? token : token.substring(0, equals)).trim().toLowerCase(Locale.ROOT);
            if (!name.equals("wait")) {
                continue;
            }
            String value = equals < 0 ? "" : unquote(token.substring(equals + 1).trim());
            if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new ProblemException(ProblemType.INVALID_PREFERENCE,
                        "Prefer: wait must be a whole number of seconds, e.g. wait=5 (at most " + MAX_WAIT.toSeconds() + ")");
            }
            Duration asked = Duration.ofSeconds(Long.parseLong(value));
            wait = Optional.of(asked.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : asked);
        }
        return wait;
    }

    static String applied(Duration wait) {
        return "wait=" + wait.toSeconds();
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
