package dev.agenttasks.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Which callback URLs the service calls, with host names resolved by the test. */
class CallbackUrlsTest {

    private static final Map<String, String> DNS = Map.of(
            "hooks.example.com", "93.184.216.34",
            "rebound.example.com", "10.1.2.3",
            "metadata.example.com", "169.254.169.254");

    private final CallbackUrls aws = new CallbackUrls(true, CallbackUrlsTest::resolve);
    private final CallbackUrls local = new CallbackUrls(false, CallbackUrlsTest::resolve);

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String address = DNS.get(host);
        if (address != null) {
            return new InetAddress[] {InetAddress.getByName(address)};
        }
        if (host.matches("[0-9a-fA-F:.]+")) {
            return new InetAddress[] {InetAddress.getByName(host)};
        }
        throw new UnknownHostException(host);
    }

    @Test
    void inAwsAnHttpsUrlOfAPublicHostIsAccepted() {
        assertThat(aws.problemWith("https://hooks.example.com/agent-tasks?team=7")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://hooks.example.com/x", "ftp://hooks.example.com/x"})
    void inAwsOnlyHttpsIsAccepted(String url) {
        assertThat(aws.problemWith(url)).hasValue("must use https");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://127.0.0.1/x", "https://10.0.0.8/x", "https://172.16.5.4/x", "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/x", "https://0.0.0.0/x",
            "https://[::1]/x", "https://[fd00::1]/x", "https://[fe80::1]/x", "https://[::ffff:10.0.0.1]/x",
            "https://[64:ff9b::a00:1]/x", "https://[2002:a00:1::1]/x",
            "https://rebound.example.com/x", "https://metadata.example.com/x"})
    void inAwsNoLoopbackPrivateLinkLocalOrMetadataAddressLiteralOrResolvedIsAccepted(String url) {
        assertThat(aws.problemWith(url)).hasValue("must not point at a loopback, private, link-local or metadata address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://user:pw@hooks.example.com/x", "https://hooks.example.com/x#frag", "/relative", "not a url"})
    void userInfoFragmentsAndRelativeUrlsAreRefused(String url) {
        assertThat(aws.problemWith(url)).isPresent();
        assertThat(local.problemWith(url)).isPresent();
    }

    @Test
    void aHostThatDoesNotResolveIsRefusedAtSubmitButRetriedAtDelivery() {
        assertThat(aws.problemWith("https://gone.example.com/x")).hasValue("names a host that does not resolve");
        assertThat(aws.deliveryProblemWith("https://gone.example.com/x")).isEmpty();
        assertThat(aws.deliveryProblemWith("https://rebound.example.com/x")).isPresent();
    }

    @Test
    void theLocalStackAcceptsHttpAndLoopback() {
        assertThat(local.problemWith("http://127.0.0.1:8080/hooks")).isEmpty();
        assertThat(local.problemWith("http://localhost:8080/hooks")).isEmpty();
        assertThat(local.problemWith("ftp://127.0.0.1/hooks")).hasValue("must use http or https");
    }

    @Test
    void aUrlLongerThan2048CharactersIsRefused() {
        assertThat(aws.problemWith("https://hooks.example.com/" + "a".repeat(2_048))).isPresent();
    }
}
