package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The hand-written signer gives the same {@code Authorization} header as the AWS SDK's {@code AwsV4HttpSigner}
 * (test scope only) for the requests the client sends; {@code SigV4SignerProperties} does the same for
 * random paths, queries and bodies.
 */
class SigV4SignerTest {

    static final Instant NOW = Instant.parse("2026-03-01T10:15:30Z");
    private static final AwsCredentials LONG_TERM = new AwsCredentials("AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Optional.empty());
    static final AwsCredentials TEMPORARY = new AwsCredentials("ASIAEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Optional.of("FwoGZXIvYXdzEXAMPLE//session+token=="));

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "POST|https://abc123.execute-api.eu-west-1.amazonaws.com/tasks|{\"task\":\"Summarise RFC 9457.\"}",
            "GET|https://abc123.execute-api.eu-west-1.amazonaws.com/tasks/k5v2q7w3xj4m6n2p3r5t7v2x4z|",
            "POST|https://abc123.execute-api.eu-west-1.amazonaws.com/prod/tasks/k5v2q7w3xj4m6n2p3r5t7v2x4z/cancel|",
            "GET|https://abc123.execute-api.eu-west-1.amazonaws.com/tasks?status=failed&limit=20&cursor=QDIwLg%3D%3D|",
            "GET|https://api.example.com:8443/v1/tasks?limit=5&cursor=a%2Bb%2Fc&status=complete|",
            "GET|http://127.0.0.1:3000/tasks/..%2Fodd%20id|",
            "GET|https://abc.execute-api.us-east-1.amazonaws.com/a/./b/../tasks|",
            "GET|https://abc.execute-api.us-east-1.amazonaws.com|",
    })
    void signsTheRequestsTheClientSendsAsTheSdkDoes(String method, String url, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json, application/problem+json");
        if (body != null) {
            headers.put("Content-Type", "application/json");
            headers.put("Idempotency-Key", "\"order-42\"");
            headers.put("Prefer", "wait=20");
        }
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);

        for (AwsCredentials credentials : new AwsCredentials[] {LONG_TERM, TEMPORARY}) {
            Map<String, String> ours = new SigV4Signer("eu-west-1", "execute-api")
                    .sign(method, URI.create(url), headers, bytes, NOW, credentials);

            SdkHttpRequest theirs = sdkSign(method, url, headers, bytes, credentials, "eu-west-1");
            assertThat(ours.get("Authorization")).as("%s %s", method, url)
                    .isEqualTo(theirs.firstMatchingHeader("Authorization").orElseThrow());
            assertThat(ours.get("X-Amz-Date")).isEqualTo(theirs.firstMatchingHeader("X-Amz-Date").orElseThrow())
                    .isEqualTo("20260301T101530Z");
            assertThat(Optional.ofNullable(ours.get("X-Amz-Security-Token")))
                    .isEqualTo(theirs.firstMatchingHeader("X-Amz-Security-Token"));
        }
    }

    static SdkHttpRequest sdkSign(String method, String url, Map<String, String> headers, byte[] body,
                                          AwsCredentials credentials, String region) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(URI.create(url));
        headers.forEach(request::putHeader);
        AwsCredentialsIdentity identity = credentials.sessionToken().isPresent()
                ? AwsSessionCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey(),
                credentials.sessionToken().get())
                : AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey());
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(identity)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC)));
        return signed.request();
    }
}
