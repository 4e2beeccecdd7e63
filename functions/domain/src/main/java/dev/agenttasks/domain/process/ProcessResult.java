package dev.agenttasks.domain.process;

import java.time.Duration;

/** What to do with a task's message after one delivery: acknowledge it, or hand it back for later. */
public sealed interface ProcessResult {

    /** The message is done with: the queue may delete it. */
    record Done(Outcome outcome) implements ProcessResult {
    }

    /** The message must come back after {@code delay}. */
    record RetryLater(Duration delay, Why why) implements ProcessResult {
        public RetryLater {
            delay = delay.isNegative() ? Duration.ZERO : delay;
        }
    }

    /** Why a message is done with. */
    enum Outcome {
        /** This delivery completed the task. */
        COMPLETED,
        /** This delivery failed the task (a terminal error, no attempt or no time left). */
        FAILED,
        /** The task had already finished: a duplicate or late message. */
        ALREADY_FINISHED,
        /** Another worker took the task over while this one worked on it; its result was not recorded. */
        LEASE_LOST,
        /** The task's owner cancelled it; this delivery stopped and recorded that. */
        CANCELLED,
        /** The message names no stored task (a poison message). */
        UNKNOWN_TASK
    }

    /** Why a message comes back. */
    enum Why {
        /** It arrived before the task's retry time (a duplicate, or an early visibility timeout). */
        NOT_DUE,
        /** The provider failed transiently and this invocation has no time left to wait and retry. */
        TRANSIENT_PROVIDER_ERROR,
        /** Another worker holds a live lease; the message returns when that lease runs out. */
        LEASED_ELSEWHERE,
        /** The task store failed (throttled, unreachable) even after retries in place. */
        STORE_UNAVAILABLE,
        /** The model's circuit breaker is open fleet-wide: the task waits for the probe, no attempt charged. */
        CIRCUIT_OPEN,
        /** The provider rate-limited the model for the whole fleet: the task waits, no attempt charged. */
        RATE_LIMITED
    }

    static Done done(Outcome outcome) {
        return new Done(outcome);
    }

    static RetryLater retryLater(Duration delay, Why why) {
        return new RetryLater(delay, why);
    }
}
