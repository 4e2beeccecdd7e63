package dev.agenttasks.wiring;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import dev.agenttasks.config.Config;
import dev.agenttasks.testkit.MotoEnvironment;

/** A wiring over a freshly reset moto server with the template's tables and queues. */
final class MotoTestEnvironment {

    private MotoTestEnvironment() {
    }

    static ServiceWiring freshWiring(Map<String, String> extra, Clock clock) {
        Map<String, String> env = new HashMap<>(MotoEnvironment.fresh());
        env.putAll(extra);
        return new ServiceWiring(Config.of(env), clock);
    }
}
