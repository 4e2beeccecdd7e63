package dev.agenttasks.domain.routing;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Set;

import dev.agenttasks.domain.task.TokenLedger;
import dev.agenttasks.domain.task.TokenUsage;

/**
 * What one provider call is charged to its task: tokens and dollars, and on what basis.
 *
 * @param model the model the call was sent to (its price applies)
 */
public record AttemptCharge(String model, TokenUsage usage, BigDecimal costUsd, Basis basis) {

    /** Where the figures come from. */
    public enum Basis {
        /** The provider reported the usage: exact as far as the provider bills. */
        REPORTED,
        /** A readable answer with no usage: the prompt's estimate and the answer's counted tokens. */
        ESTIMATED,
        /**
         * The request was sent and no usable answer came back (a timeout, a dropped connection, an unreadable 2xx):
         * the provider may have run it to the end and billed it, so the prompt's estimate and the whole output cap
         * are charged. Over-counting stops a task early; under-counting would let it overspend its cap.
         */
        WORST_CASE,
        /** The provider refused before running the model (an HTTP error status, a connect failure): nothing billed. */
        NOT_BILLED;

        public boolean isEstimate() {
            return this == ESTIMATED || this == WORST_CASE;
        }
    }

    /**
     * {@link dev.agenttasks.domain.port.LlmException#code()} values after which a request may have been processed:
     * it was sent and no usable answer was read. The providers' tests check these are the codes they raise.
     */
    public static final Set<String> SENT_WITHOUT_ANSWER = Set.of(
            "timeout",           // the answer did not arrive in time (read timeout, the SDK's API call timeout)
            "connection_error",  // the connection broke, possibly after the request went out
            "interrupted",       // the worker stopped waiting
            "bad_response",      // a 2xx whose body was not a readable completion
            "model_timeout");    // Bedrock's ModelTimeoutException: the model ran past its own limit

    public AttemptCharge {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(costUsd, "costUsd");
        Objects.requireNonNull(basis, "basis");
    }

    public boolean estimated() {
        return basis.isEstimate();
    }

    /** {@code ledger} with this attempt added. */
    public TokenLedger addTo(TokenLedger ledger) {
        return ledger.plus(usage, costUsd, estimated());
    }
}
