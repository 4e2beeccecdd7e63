package dev.agenttasks.submit;

import java.io.IOException;
import java.time.Clock;

import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;
import dev.agenttasks.testkit.PrimingCheck;
import dev.agenttasks.wiring.ServiceWiring;

/** SubmitHandler's SnapStart priming: it runs the request path before the snapshot without effects. */
class SubmitPrimingIT {

    @Test
    void primingStoresNothingSendsNothingAndNeedsNoNetwork() throws IOException {
        PrimingCheck.primesWithoutEffects(env -> SubmitHandler.prime(new ServiceWiring(Config.of(env), Clock.systemUTC())));
    }
}
