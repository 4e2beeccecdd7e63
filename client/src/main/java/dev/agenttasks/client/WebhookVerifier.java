package dev.agenttasks.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks a task webhook (Standard Webhooks): {@code webhook-signature} must hold a {@code v1,<base64>} entry
 * equal to HMAC-SHA256 of {@code "<webhook-id>.<webhook-timestamp>.<body>"} under the endpoint's secret
 * (compared in constant time), and {@code webhook-timestamp} must be within the tolerance of now (5 minutes by
 * default) either way, which bounds replays. Deliveries are at least once: deduplicate on
 * {@link WebhookMessage#id()}.
 *
 * <pre>{@code
 * WebhookVerifier verifier = WebhookVerifier.of(System.getenv("AGENT_TASKS_WEBHOOK_SECRET")); // whsec_...
 * WebhookMessage message = verifier.verify(requestHeaders, requestBodyBytes);  // throws if forged or stale
 * if (seen.add(message.id())) handle(message.task());
 * }</pre>
 */
public final class WebhookVerifier {

    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    static final String SECRET_PREFIX = "whsec_";

    /** A verified delivery: its id (stable across retries), when it was signed, and the final task view. */
    public record WebhookMessage(String id, Instant timestamp, TaskView task) {
    }

    /** The delivery is not authentic, is stale, or is not a task view. */
    public static final class VerificationException extends Exception {
        public VerificationException(String message) {
            super(message);
        }
    }

    private final byte[] key;
    private final Duration tolerance;
    private final Clock clock;

    private WebhookVerifier(byte[] key, Duration tolerance, Clock clock) {
        this.key = key.clone();
        this.tolerance = tolerance;
        this.clock = clock;
    }

    /**
     * A verifier for {@code secret}: {@code whsec_<base64 key>} as shown to operators, or the base64 key alone.
     *
     * @throws IllegalArgumentException for a secret that is not base64
     */
    public static WebhookVerifier of(String secret) {
        Objects.requireNonNull(secret, "secret");
        String encoded = secret.strip();
        if (encoded.startsWith(SECRET_PREFIX)) {
            encoded = encoded.substring(SECRET_PREFIX.length());
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret is whsec_ followed by base64", e);
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("the webhook secret is empty");
        }
        return new WebhookVerifier(key, DEFAULT_TOLERANCE, Clock.systemUTC());
    }

    /** The same verifier accepting timestamps up to {@code value} away from now. */
    public WebhookVerifier withTolerance(Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative");
        }
        return new WebhookVerifier(key, value, clock);
    }

    /** The same verifier reading the time from {@code value}. */
    public WebhookVerifier withClock(Clock value) {
        return new WebhookVerifier(key, tolerance, Objects.requireNonNull(value, "clock"));
    }

    /**
     * Verifies a delivery from its headers (names in any case, e.g. a servlet's or {@code HttpHeaders.map()})
     * and its raw body.
     */
    public WebhookMessage verify(Map<String, List<String>> headers, byte[] body) throws VerificationException {
        return verify(header(headers, "webhook-id"), header(headers, "webhook-timestamp"),
                header(headers, "webhook-signature"), body);
    }

    /** Verifies a delivery from the three header values and its raw body. */
    public WebhookMessage verify(String id, String timestamp, String signatures, byte[] body) throws VerificationException {
        if (id == null || id.isBlank() || timestamp == null || signatures == null || body == null) {
            throw new VerificationException("missing webhook-id, webhook-timestamp or webhook-signature");
        }
        Instant signedAt;
        try {
            signedAt = Instant.ofEpochSecond(Long.parseLong(timestamp.strip()));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new VerificationException("webhook-timestamp is not unix seconds: " + timestamp);
        }
        Instant now = clock.instant();
        if (Duration.between(signedAt, now).abs().compareTo(tolerance) > 0) {
            throw new VerificationException("webhook-timestamp " + signedAt + " is more than " + tolerance
                    + " away from now (" + now + ")");
        }
        byte[] expected = sign(id, timestamp.strip(), body);
        boolean matched = false;
        for (String entry : signatures.strip().split(" +")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(entry.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            matched |= MessageDigest.isEqual(expected, given);
        }
        if (!matched) {
            throw new VerificationException("no v1 signature in webhook-signature matches the body");
        }
        String json = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode node = Transport.JSON.readTree(body);
            return new WebhookMessage(id, signedAt, TaskView.from(node, json));
        } catch (IOException | IllegalArgumentException e) {
            throw new VerificationException("the signed body is not a task view: " + TaskView.abbreviate(json));
        }
    }

    /** {@code v1,<base64 signature>} for a message, as the sender computes it. */
    public String signature(String id, long timestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(sign(id, Long.toString(timestamp), body));
    }

    private byte[] sign(String id, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().toLowerCase(Locale.ROOT).equals(name)
                    && !entry.getValue().isEmpty()) {
                return String.join(" ", entry.getValue());
            }
        }
        return null;
    }
}
