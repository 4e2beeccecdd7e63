package dev.agenttasks.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskStatus;

/**
 * What lets a poller pace itself: a strong {@code ETag} over the task's view, the {@code If-None-Match}
 * check (RFC 9110's weak comparison), and {@code Retry-After} for a task that is not finished yet.
 */
final class PollingHeaders {

    /** The longest {@code Retry-After} given: a poller should come back at least this often. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

    private PollingHeaders() {
    }

    static String etag(String body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether an {@code If-None-Match} header lists {@code etag} (or is {@code *}). */
    static boolean matches(Optional<String> ifNoneMatch, String etag) {
        if (ifNoneMatch.isEmpty()) {
            return false;
        }
        for (String candidate : ifNoneMatch.get().split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || (tag.startsWith("W/") ? tag.substring(2) : tag).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Seconds until a poll is worth making, for a task not finished yet: the time of its next attempt when it
     * waits for one, else 1 s while it is new and 2 s while a worker runs it.
     */
    static Optional<Long> retryAfterSeconds(Task task, Instant now) {
        if (task.status().isTerminal()) {
            return Optional.empty();
        }
        Duration wait = task.status() == TaskStatus.RUNNING ? Duration.ofSeconds(2) : Duration.ofSeconds(1);
        Optional<Instant> nextAttempt = task.nextAttemptAt();
        if (task.status() == TaskStatus.PENDING && nextAttempt.isPresent() && nextAttempt.get().isAfter(now)) {
            wait = Duration.between(now, nextAttempt.get());
        }
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return Optional.of(Math.min(seconds, MAX_RETRY_AFTER.toSeconds()));
    }
}
