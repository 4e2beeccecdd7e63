package dev.agenttasks.lambda;

import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handler's SnapStart runtime hooks (org.crac): {@code prime} runs before Lambda takes the snapshot of an
 * initialised sandbox, {@code restored} after each sandbox is restored from it. Outside Lambda nothing calls them.
 *
 * <p>Priming loads and initialises the classes of the request path so restored sandboxes do not: it must not
 * write anything nor depend on the network (a failed priming is logged and the snapshot is taken anyway). What
 * SnapStart changes for the code is in docs/observability.md, "SnapStart".
 *
 * <p>CRaC's global context holds resources weakly: keep the returned object in a field of the handler.
 */
public final class SnapStartHooks implements Resource {

    private static final Logger LOG = LoggerFactory.getLogger(SnapStartHooks.class);

    private final String function;
    private final Runnable prime;
    private final Runnable restored;

    private SnapStartHooks(String function, Runnable prime, Runnable restored) {
        this.function = function;
        this.prime = prime;
        this.restored = restored;
    }

    /** Registers the hooks of {@code function} (a name for the log) with CRaC's global context. */
    public static SnapStartHooks register(String function, Runnable prime, Runnable restored) {
        SnapStartHooks hooks = new SnapStartHooks(function, prime, restored);
        Core.getGlobalContext().register(hooks);
        return hooks;
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        long started = System.nanoTime();
        try {
            prime.run();
            LOG.info("{} primed for the snapshot in {} ms", function, (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("{} priming failed; the snapshot is taken without it", function, e);
        }
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        restored.run();
        LOG.info("{} restored from a snapshot", function);
    }
}
