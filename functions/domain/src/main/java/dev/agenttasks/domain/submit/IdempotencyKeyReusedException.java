package dev.agenttasks.domain.submit;

/** The caller reused an idempotency key with a different request. */
public class IdempotencyKeyReusedException extends RuntimeException {
    public IdempotencyKeyReusedException() {
        super("this Idempotency-Key was already used with a different request");
    }
}
