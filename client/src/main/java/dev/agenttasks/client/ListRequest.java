package dev.agenttasks.client;

import java.util.Objects;
import java.util.Optional;

/**
 * Which tasks {@code GET /tasks} returns: the caller's own, newest first, optionally of one status, in pages of
 * {@code limit} (1 to 100; the server's default is 20).
 */
public record ListRequest(Optional<TaskStatus> status, Optional<Integer> limit, Optional<String> cursor) {

    public static final int MAX_LIMIT = 100;

    public ListRequest {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(cursor, "cursor");
        if (status.isPresent() && status.get() == TaskStatus.UNKNOWN) {
            throw new IllegalArgumentException("status must be one of pending, running, complete, failed, cancelled");
        }
        if (limit.isPresent() && (limit.get() < 1 || limit.get() > MAX_LIMIT)) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT + ", got " + limit.get());
        }
    }

    /** Every task of the caller, the server's page size. */
    public static ListRequest all() {
        return new ListRequest(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public ListRequest withStatus(TaskStatus value) {
        return new ListRequest(Optional.of(value), limit, cursor);
    }

    public ListRequest withLimit(int value) {
        return new ListRequest(status, Optional.of(value), cursor);
    }

    /** The page after the one that returned {@code value} as its {@code next_cursor}. */
    public ListRequest withCursor(String value) {
        return new ListRequest(status, limit, Optional.of(value));
    }
}
