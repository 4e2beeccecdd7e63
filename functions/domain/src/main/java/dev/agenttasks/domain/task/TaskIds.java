package dev.agenttasks.domain.task;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Task ids: 130 random bits as 26 lower-case base32 characters (RFC 4648 alphabet). */
public final class TaskIds {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final Pattern FORMAT = Pattern.compile("[a-z2-7]{26}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TaskIds() {
    }

    public static String newId() {
        char[] id = new char[26];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(32)];
        }
        return new String(id);
    }

    /** Whether {@code candidate} could be an id; anything else is unknown without a lookup. */
    public static boolean isWellFormed(String candidate) {
        return candidate != null && FORMAT.matcher(candidate).matches();
    }
}
