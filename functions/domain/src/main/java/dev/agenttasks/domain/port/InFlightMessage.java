package dev.agenttasks.domain.port;

import java.time.Duration;

/**
 * The queue message a worker is processing. Its visibility follows the task's lease, so if the worker dies
 * the queue hands the message to another worker as soon as the lease has run out.
 */
@FunctionalInterface
public interface InFlightMessage {

    /** Hides the message for {@code timeout} from now; false when the queue refused (it is then logged, not fatal). */
    boolean hideFor(Duration timeout);

    /** For callers with no message (tests, direct calls). */
    static InFlightMessage none() {
        return timeout -> true;
    }
}
