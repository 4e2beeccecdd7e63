package dev.agenttasks.domain.task;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Task ids: 130 bits as 26 lower-case base32 characters (RFC 4648 alphabet), random for a task submitted without an
 * idempotency key, derived from the caller and the key for the first task a key creates ({@link #forKey}).
 */
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

    /**
     * The id of the first task {@code caller}'s idempotency {@code key} creates: the first 130 bits of SHA-256 over
     * both (length-prefixed, so no two pairs collide), so the task's own conditional write decides the key too.
     * Knowing the id gives nothing: another caller's task is a 404 like an unknown one.
     */
    public static String forKey(String caller, String key) {
        byte[] digest;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] callerBytes = caller.getBytes(StandardCharsets.UTF_8);
            sha.update("task-for-idempotency-key:".getBytes(StandardCharsets.US_ASCII));
            sha.update((callerBytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            sha.update(callerBytes);
            sha.update(key.getBytes(StandardCharsets.UTF_8));
            digest = sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        char[] id = new char[26];
        for (int i = 0; i < id.length; i++) {
            int bit = i * 5;
            int twoBytes = ((digest[bit / 8] & 0xff) << 8) | (digest[bit / 8 + 1] & 0xff);
            id[i] = ALPHABET[(twoBytes >>> (11 - bit % 8)) & 31];
        }
        return new String(id);
    }

    /** Whether {@code candidate} could be an id; anything else is unknown without a lookup. */
    public static boolean isWellFormed(String candidate) {
        return candidate != null && FORMAT.matcher(candidate).matches();
    }
}
