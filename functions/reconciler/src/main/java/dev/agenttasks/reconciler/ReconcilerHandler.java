package dev.agenttasks.reconciler;

import java.time.Duration;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.domain.process.InvocationClock;
import dev.agenttasks.domain.reconcile.Reconciler;

/**
 * ReconcilerFunction: runs one {@link Reconciler} pass per scheduled event and returns its counts.
 * A pass that hit errors (a store or queue call failed) still keeps what it did, then fails the
 * invocation so the Lambda {@code Errors} metric, and its alarm, see it; a rerun is harmless.
 */
public class ReconcilerHandler implements RequestHandler<ScheduledEvent, Map<String, Object>> {

    private final Reconciler reconciler;

    public ReconcilerHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public ReconcilerHandler(ServiceWiring wiring) {
        this(wiring.reconciler());
    }

    public ReconcilerHandler(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        InvocationClock invocation = context == null
                ? InvocationClock.unlimited()
                : () -> Duration.ofMillis(context.getRemainingTimeInMillis());
        Reconciler.Summary summary = reconciler.run(invocation);
        if (summary.errors() > 0) {
            throw new ReconcileIncompleteException(summary);
        }
        return summary.asMap();
    }

    /** A pass that could not handle every item; its summary says how far it got. */
    public static final class ReconcileIncompleteException extends RuntimeException {
        public ReconcileIncompleteException(Reconciler.Summary summary) {
            super("reconciler run had " + summary.errors() + " error(s): " + summary.asMap());
        }
    }
}
