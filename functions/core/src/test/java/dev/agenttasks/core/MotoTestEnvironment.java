package dev.agenttasks.core;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import dev.agenttasks.core.config.Settings;
import dev.agenttasks.localaws.LocalAws;
import dev.agenttasks.localaws.LocalResources;
import dev.agenttasks.localaws.SharedMotoServer;

/** Settings pointing at a freshly reset moto server with the template's tables and queues. */
public final class MotoTestEnvironment {

    private MotoTestEnvironment() {
    }

    public static Settings freshSettings(Map<String, String> extra) {
        LocalResources resources = SharedMotoServer.freshResources();
        Map<String, String> env = new HashMap<>(resources.environment());
        env.put("AWS_ENDPOINT_URL", SharedMotoServer.get().endpoint().toString());
        env.put("AWS_REGION", LocalAws.REGION);
        env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
        env.put("LLM_PROVIDER", "simulated");
        env.put("SIMULATED_LATENCY_MS", "0");
        env.putAll(extra);
        return Settings.of(env);
    }

    public static ServiceWiring freshWiring(Map<String, String> extra, Clock clock) {
        return new ServiceWiring(freshSettings(extra), clock);
    }
}
