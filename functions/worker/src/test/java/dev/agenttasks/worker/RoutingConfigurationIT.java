package dev.agenttasks.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.AwsJsonApi;
import dev.agenttasks.config.Config;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.domain.routing.RoutingConfig;
import dev.agenttasks.domain.routing.RoutingConfigException;
import dev.agenttasks.testkit.MotoEnvironment;

/** The worker reads its routing configuration from an SSM parameter (moto) once, at init. */
class RoutingConfigurationIT {

    private static final String PARAMETER = "/agent-tasks/routing";
    private static final String ONE_TIER = """
            {"models": {"llama-3.3-70b-versatile": {"context_window_tokens": 131072,
                "usd_per_million_input_tokens": 0.59, "usd_per_million_output_tokens": 0.79}},
             "tiers": {"standard": {"model": "llama-3.3-70b-versatile", "max_output_tokens": 800,
                "budget_tokens": 6000, "reserved_output_tokens": 800, "max_total_tokens": 18000}},
             "routing": {"default_tier": "standard"}}""";

    private Map<String, String> env;

    @BeforeEach
    void setUp() {
        env = new HashMap<>(MotoEnvironment.fresh());
        env.put("ROUTING_CONFIG_PARAMETER", PARAMETER);
    }

    @Test
    void theParametersConfigurationIsUsed() {
        put(ONE_TIER);

        RoutingConfig routing = RoutingConfiguration.load(Config.of(env), new AwsClients(Config.of(env)));

        assertThat(routing.source()).isEqualTo("SSM parameter " + PARAMETER);
        assertThat(routing.tierNames()).containsExactly("standard");
    }

    @Test
    void aBadConfigurationInTheParameterNamesItAndTheField() {
        put(ONE_TIER.replace("\"max_output_tokens\": 800", "\"max_output_tokens\": -1"));

        assertThatThrownBy(() -> RoutingConfiguration.load(Config.of(env), new AwsClients(Config.of(env))))
                .isInstanceOf(RoutingConfigException.class)
                .hasMessage("routing configuration SSM parameter " + PARAMETER + " is invalid: "
                        + "/tiers/standard/max_output_tokens: must be from 1 to 2147483647, got -1");
    }

    @Test
    void aMissingParameterFailsTheStartNamingIt() {
        assertThatThrownBy(() -> RoutingConfiguration.load(Config.of(env), new AwsClients(Config.of(env))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("could not read the routing configuration from SSM parameter " + PARAMETER
                        + ": ParameterNotFound (HTTP 400)");
    }

    @Test
    void withoutAParameterTheBuiltInConfigurationApplies() {
        env.remove("ROUTING_CONFIG_PARAMETER");

        RoutingConfig routing = RoutingConfiguration.load(Config.of(env), new AwsClients(Config.of(env)));

        assertThat(routing.source()).isEqualTo("built-in routing.json");
    }

    private void put(String value) {
        new AwsClients(Config.of(env)).jsonApi(AwsJsonApi.Service.SSM).call("PutParameter",
                Map.of("Name", PARAMETER, "Type", "String", "Value", value, "Overwrite", true));
    }
}
