package dev.agenttasks.testkit;

import java.util.HashMap;
import java.util.Map;

import dev.agenttasks.localaws.LocalAws;
import dev.agenttasks.localaws.LocalResources;
import dev.agenttasks.localaws.SharedMotoServer;

/** The environment of a freshly reset moto server with the template's tables and queues. */
public final class MotoEnvironment {

    private MotoEnvironment() {
    }

    /** Resets the JVM's moto server, provisions template.yaml, and returns the functions' variables. */
    public static Map<String, String> fresh() {
        LocalResources resources = SharedMotoServer.freshResources();
        Map<String, String> env = new HashMap<>(resources.environment());
        env.put("AWS_ENDPOINT_URL", SharedMotoServer.get().endpoint().toString());
        env.put("AWS_REGION", LocalAws.REGION);
        env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
        env.put("LLM_PROVIDER", "simulated");
        env.put("SIMULATED_LATENCY_MS", "0");
        return env;
    }
}
