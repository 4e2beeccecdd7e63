package dev.agenttasks.wiring;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import dev.agenttasks.config.Config;
import dev.agenttasks.testkit.MotoEnvironment;

/** Config pointing at a freshly reset moto server with the template's tables and queues. */
public final class MotoTestEnvironment {

    private MotoTestEnvironment() {
    }

    public static Config freshConfig(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(MotoEnvironment.fresh());
        env.putAll(extra);
        return Config.of(env);
    }

    public static ServiceWiring freshWiring(Map<String, String> extra, Clock clock) {
        return new ServiceWiring(freshConfig(extra), clock);
    }
}
