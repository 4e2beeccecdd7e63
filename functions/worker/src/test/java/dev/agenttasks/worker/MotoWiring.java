package dev.agenttasks.worker;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import dev.agenttasks.core.ServiceWiring;
import dev.agenttasks.core.config.Settings;
import dev.agenttasks.localaws.LocalAws;
import dev.agenttasks.localaws.LocalResources;
import dev.agenttasks.localaws.SharedMotoServer;

/** Wiring whose settings point at a freshly reset moto server with the template's tables and queues. */
final class MotoWiring {

    private MotoWiring() {
    }

    static ServiceWiring fresh() {
        LocalResources resources = SharedMotoServer.freshResources();
        Map<String, String> env = new HashMap<>(resources.environment());
        env.put("AWS_ENDPOINT_URL", SharedMotoServer.get().endpoint().toString());
        env.put("AWS_REGION", LocalAws.REGION);
        env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
        env.put("LLM_PROVIDER", "simulated");
        env.put("SIMULATED_LATENCY_MS", "0");
        return new ServiceWiring(Settings.of(env), Clock.systemUTC());
    }
}
