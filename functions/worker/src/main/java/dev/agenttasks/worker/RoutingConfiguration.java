package dev.agenttasks.worker;

import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.routing.RoutingConfig;
import dev.agenttasks.domain.routing.RoutingConfigLoader;

/**
 * The routing configuration in force ({@link RoutingConfigLoader#load}): {@code ROUTING_CONFIG_FILE}, else
 * {@code ROUTING_CONFIG} (the JSON itself, which the template resolves from SSM at deploy), else the SSM
 * parameter named by {@code ROUTING_CONFIG_PARAMETER} (read once, at init), else the built-in one for the provider.
 * A configuration that cannot be read or used fails the worker's start with a message naming its source.
 */
public final class RoutingConfiguration {

    private RoutingConfiguration() {
    }

    public static RoutingConfig load(Config config, AwsClients aws) {
        return RoutingConfigLoader.load(config, name -> aws.ssmParameters().read(name, "the routing configuration"));
    }
}
