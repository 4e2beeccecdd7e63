package dev.agenttasks.core;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import dev.agenttasks.core.config.Settings;
import dev.agenttasks.testkit.MotoEnvironment;

/** Settings pointing at a freshly reset moto server with the template's tables and queues. */
public final class MotoTestEnvironment {

    private MotoTestEnvironment() {
    }

    public static Settings freshSettings(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(MotoEnvironment.fresh());
        env.putAll(extra);
        return Settings.of(env);
    }

    public static ServiceWiring freshWiring(Map<String, String> extra, Clock clock) {
        return new ServiceWiring(freshSettings(extra), clock);
    }
}
