package dev.agenttasks.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.agenttasks.domain.port.TaskPage;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskStatus;

/**
 * The opaque {@code cursor} of {@code GET /tasks}: a position in one caller's list, bound to that caller and to
 * the status filter, and signed with HMAC-SHA256, so a changed or borrowed cursor is refused rather than read.
 * Authorization never rests on it: a list only ever queries the caller's own tasks.
 */
final class PageCursor {

    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
    private static final String VERSION = "v1";

    private final SecretKeySpec key;

    PageCursor(byte[] key) {
        if (key.length < 16) {
            throw new IllegalArgumentException("the cursor key must have at least 16 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    String encode(String caller, Optional<TaskStatus> status, TaskPage.Position position) {
        String payload = String.join("|", VERSION, callerTag(caller), status.map(TaskStatus::value).orElse("-"),
                Long.toString(position.createdAt().toEpochMilli()), position.taskId());
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return ENCODE.encodeToString(bytes) + "." + ENCODE.encodeToString(mac(bytes));
    }

    /** The position {@code cursor} names, if it is intact and was issued to {@code caller} for {@code status}. */
    Optional<TaskPage.Position> decode(String cursor, String caller, Optional<TaskStatus> status) {
        int dot = cursor.indexOf('.');
        if (dot <= 0 || cursor.length() > 512) {
            return Optional.empty();
        }
        byte[] payload;
        try {
            payload = DECODE.decode(cursor.substring(0, dot));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // Compared as text, not decoded bytes: base64's unused trailing bits would let a changed cursor through.
        String expected = ENCODE.encodeToString(payload) + "." + ENCODE.encodeToString(mac(payload));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), cursor.getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
        if (parts.length != 5 || !parts[0].equals(VERSION) || !parts[1].equals(callerTag(caller))
                || !parts[2].equals(status.map(TaskStatus::value).orElse("-")) || !TaskIds.isWellFormed(parts[4])) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TaskPage.Position(Instant.ofEpochMilli(Long.parseLong(parts[3])), parts[4]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The caller, hashed: the cursor names whose it is without saying who. */
    private String callerTag(String caller) {
        return ENCODE.encodeToString(mac(("caller:" + caller).getBytes(StandardCharsets.UTF_8))).substring(0, 22);
    }

    private byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
