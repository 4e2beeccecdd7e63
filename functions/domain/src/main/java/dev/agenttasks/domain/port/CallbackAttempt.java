package dev.agenttasks.domain.port;

import java.time.Instant;
import java.util.Objects;

/** What one webhook delivery came to, as {@link CallbackLedger#recordCallbackAttempt} records it. */
public sealed interface CallbackAttempt {

    /** The receiver answered 2xx: nothing more is owed. */
    record Delivered() implements CallbackAttempt {
    }

    /** It failed with {@code error}; the next try is at {@code nextAttemptAt}, and the reconciler looks again at {@code dueAt}. */
    record Retrying(String error, Instant nextAttemptAt, Instant dueAt) implements CallbackAttempt {
        public Retrying {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
            Objects.requireNonNull(dueAt, "dueAt");
        }
    }

    /**
     * No attempt is left: the webhook is given up with {@code error}, after a call ({@code called}) or without one
     * (the reconciler giving up a webhook owed too long).
     */
    record GaveUp(String error, boolean called) implements CallbackAttempt {
        public GaveUp {
            Objects.requireNonNull(error, "error");
        }
    }
}
