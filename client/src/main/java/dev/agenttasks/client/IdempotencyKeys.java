package dev.agenttasks.client;

import java.util.UUID;

/** Idempotency keys as the API takes them: 1 to 255 printable ASCII characters, sent as a structured-field string. */
public final class IdempotencyKeys {

    public static final int MAX_LENGTH = 255;

    private IdempotencyKeys() {
    }

    /** A new random key (a UUID). */
    public static String random() {
        return UUID.randomUUID().toString();
    }

    /** {@code key} if the API accepts it; else IllegalArgumentException saying why. */
    public static String check(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("an idempotency key has 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                throw new IllegalArgumentException("an idempotency key is printable ASCII without \" or \\; "
                        + "character " + (i + 1) + " is not");
            }
        }
        if (!key.strip().equals(key)) {
            throw new IllegalArgumentException("an idempotency key does not start or end with a space");
        }
        return key;
    }

    /** The header value: the key as a structured-field string ({@code "key"}). */
    static String headerValue(String key) {
        return '"' + key + '"';
    }
}
