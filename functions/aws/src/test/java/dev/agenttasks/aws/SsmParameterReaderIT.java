package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.aws.SsmCallCapture.Seen;
import dev.agenttasks.config.Config;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.testkit.MotoEnvironment;

/** SSM parameters read through SSM's JSON API, against moto's SSM. */
class SsmParameterReaderIT {

    private static final String KEY = "/agent-tasks/llm-api-key";
    private static final String SECRET = "gsk_the-secret-value";

    private Map<String, String> env;
    private AwsClients aws;

    @BeforeEach
    void setUp() {
        env = new HashMap<>(MotoEnvironment.fresh());
        aws = new AwsClients(Config.of(env));
        SsmCallCapture.drain();
    }

    @Test
    void aSecureStringIsReadDecrypted() {
        aws.jsonApi(AwsJsonApi.Service.SSM).call("PutParameter",
                Map.of("Name", KEY, "Value", SECRET, "Type", "SecureString", "Overwrite", true));

        assertThat(aws.ssmParameters().read(KEY, "the LLM API key")).isEqualTo(SECRET);
    }

    @Test
    void aStringParameterIsReadAsIs() {
        aws.jsonApi(AwsJsonApi.Service.SSM).call("PutParameter",
                Map.of("Name", "/agent-tasks/routing", "Value", "{\"a\": 1}", "Type", "String"));

        assertThat(aws.ssmParameters().read("/agent-tasks/routing", "the routing configuration")).isEqualTo("{\"a\": 1}");
    }

    @Test
    void aMissingParameterIsAConfigurationErrorNamingItAndSsmsErrorCode() {
        assertThatThrownBy(() -> aws.ssmParameters().read(KEY, "the LLM API key"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("could not read the LLM API key from SSM parameter " + KEY
                        + ": ParameterNotFound (HTTP 400)");
    }

    @Test
    void theSdksGlobalInterceptorsSeeTheCallAsTheyWouldAnSsmClients() {
        aws.jsonApi(AwsJsonApi.Service.SSM).call("PutParameter",
                Map.of("Name", KEY, "Value", SECRET, "Type", "SecureString"));
        aws.ssmParameters().read(KEY, "the LLM API key");
        assertThatThrownBy(() -> aws.ssmParameters().read(KEY + "-missing", "the LLM API key"));

        assertThat(SsmCallCapture.drain()).containsExactly(
                new Seen("before", "SSM", "PutParameter", "us-east-1", KEY, null, null),
                new Seen("after", "SSM", "PutParameter", "us-east-1", KEY, null, 200),
                new Seen("before", "SSM", "GetParameter", "us-east-1", KEY, null, null),
                new Seen("after", "SSM", "GetParameter", "us-east-1", KEY, null, 200),
                new Seen("before", "SSM", "GetParameter", "us-east-1", KEY + "-missing", null, null),
                new Seen("failure", "SSM", "GetParameter", "us-east-1", KEY + "-missing", "ParameterNotFound", 400));
    }

    @Test
    void theParameterIsReadInTheConfiguredRegion() {
        aws.jsonApi(AwsJsonApi.Service.SSM).call("PutParameter", Map.of("Name", KEY, "Value", SECRET, "Type", "SecureString"));
        env.put("AWS_REGION", "eu-west-1");   // moto keeps each region's parameters apart, by the signature's scope

        assertThatThrownBy(() -> new AwsClients(Config.of(env)).ssmParameters().read(KEY, "the LLM API key"))
                .hasMessageContaining("ParameterNotFound");
    }

    @Test
    void anEndpointWhereNothingListensIsAConfigurationErrorNamingTheParameter() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + socket.getLocalPort());
        }   // closed: nothing listens there now

        assertThatThrownBy(() -> new AwsClients(Config.of(env)).ssmParameters().read(KEY, "the LLM API key"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("could not read the LLM API key from SSM parameter " + KEY + ": SSM GetParameter failed: ")
                .hasMessageContaining("Connection refused");
    }
}
