package dev.agenttasks.reconciler;

import java.io.IOException;
import java.time.Clock;

import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;
import dev.agenttasks.testkit.PrimingCheck;
import dev.agenttasks.wiring.ServiceWiring;

/** ReconcilerHandler's SnapStart priming: it runs the request path before the snapshot without effects. */
class ReconcilerPrimingIT {

    @Test
    void primingStoresNothingSendsNothingAndNeedsNoNetwork() throws IOException {
        PrimingCheck.primesWithoutEffects(env -> ReconcilerHandler.prime(new ServiceWiring(Config.of(env), Clock.systemUTC())));
    }
}
