package dev.agenttasks.domain.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Routing configurations for tests. */
public final class RoutingConfigs {

    private RoutingConfigs() {
    }

    /** The built-in configuration with the 8B model as the standard tier's fallback (the built-in has none). */
    public static RoutingConfig builtInWithFallback() {
        try (InputStream in = RoutingConfigLoader.class.getResourceAsStream(RoutingConfigLoader.BUILT_IN)) {
            ObjectNode root = (ObjectNode) new ObjectMapper().readTree(in);
            ((ObjectNode) root.at("/tiers/standard")).put("fallback_model", "llama-3.1-8b-instant");
            return RoutingConfigLoader.parse(root.toString(), "built-in with a fallback");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
