package dev.agenttasks.client;

import java.util.Optional;

/**
 * Every failure of a client call: {@link ProblemException} (the API answered with an error),
 * {@link TransportException} (no answer, after retries), {@link AwaitTimeoutException} (a task did not finish
 * in time), or this class itself when the calling thread was interrupted.
 */
public class AgentTasksException extends RuntimeException {

    private volatile String idempotencyKey;

    public AgentTasksException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * For a failed submit: the idempotency key that was sent. Submitting again with it
     * ({@link SubmitRequest.Builder#idempotencyKey}) cannot make a second task, whatever the first attempts did.
     */
    public Optional<String> idempotencyKey() {
        return Optional.ofNullable(idempotencyKey);
    }

    AgentTasksException withIdempotencyKey(String key) {
        this.idempotencyKey = key;
        return this;
    }
}
