package dev.agenttasks.reconciler;

import java.time.Duration;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import dev.agenttasks.domain.process.InvocationClock;
import dev.agenttasks.domain.reconcile.Reconciler;
import dev.agenttasks.lambda.InvocationLog;
import dev.agenttasks.lambda.SnapStartHooks;
import dev.agenttasks.wiring.ServiceWiring;

/**
 * ReconcilerFunction: runs one {@link Reconciler} pass per scheduled event and returns its counts.
 * A pass that hit errors (a store or queue call failed) still keeps what it did, then fails the
 * invocation so the Lambda {@code Errors} metric, and its alarm, see it; a rerun is harmless.
 */
public class ReconcilerHandler implements RequestHandler<ScheduledEvent, Map<String, Object>> {

    private final Reconciler reconciler;
    private final InvocationLog invocationLog = new InvocationLog();
    /** Held here: CRaC's context keeps its resources only weakly. */
    private final SnapStartHooks snapStart;

    public ReconcilerHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public ReconcilerHandler(ServiceWiring wiring) {
        this(wiring.reconciler(), () -> prime(wiring));
    }

    public ReconcilerHandler(Reconciler reconciler) {
        this(reconciler, () -> { });
    }

    private ReconcilerHandler(Reconciler reconciler, Runnable prime) {
        this.reconciler = reconciler;
        this.snapStart = SnapStartHooks.register("ReconcilerFunction", prime, () -> { });
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        return invocationLog.around(context, () -> {
            InvocationClock invocation = context == null
                    ? InvocationClock.unlimited()
                    : () -> Duration.ofMillis(context.getRemainingTimeInMillis());
            Reconciler.Summary summary = reconciler.run(invocation);
            if (summary.errors() > 0) {
                throw new ReconcileIncompleteException(summary);
            }
            return summary.asMap();
        });
    }

    /**
     * Before the snapshot: a whole run (Query on the index, the DLQ receive) over clients that answer in memory:
     * nothing is due, nothing is read or written, no metric is emitted.
     */
    static void prime(ServiceWiring wiring) {
        try (ServiceWiring priming = wiring.forPriming()) {
            priming.reconciler().run();
        }
        wiring.aws().primeHttpClient();
    }

    /** A pass that could not handle every item; its summary says how far it got. */
    public static final class ReconcileIncompleteException extends RuntimeException {
        public ReconcileIncompleteException(Reconciler.Summary summary) {
            super("reconciler run had " + summary.errors() + " error(s): " + summary.asMap());
        }
    }
}
