package dev.agenttasks.bench.floor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** SDK clients built as the functions build theirs (URLConnection client, region, default credentials, endpoint). */
final class FloorClients {

    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(2))
            .socketTimeout(Duration.ofSeconds(10))
            .build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private FloorClients() {
    }

    static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
        builder.httpClient(HTTP)
                .region(Region.of(System.getenv("AWS_REGION")))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(Duration.ofSeconds(10)).build());
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }

    /**
     * One call of an AWS JSON API (awsJson1_1) without the service's client, as the worker reads its SSM parameter:
     * signed by the SDK's SigV4 signer with the default credentials, sent through the same HTTP client. The answer's
     * body, or an exception naming the status.
     */
    static String jsonApiCall(String service, String target, String body) {
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        String region = System.getenv("AWS_REGION");
        URI uri = URI.create(endpoint != null && !endpoint.isBlank() ? endpoint : "https://" + service + "." + region + ".amazonaws.com");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpFullRequest unsigned = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).uri(uri).encodedPath("/")
                .putHeader("Content-Type", "application/x-amz-json-1.1").putHeader("X-Amz-Target", target)
                .putHeader("Content-Length", String.valueOf(bytes.length)).build();
        try (DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build()) {
            SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials.resolveCredentials())
                    .request(unsigned).payload(ContentStreamProvider.fromByteArray(bytes))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region));
            HttpExecuteResponse response = HTTP.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                    .contentStreamProvider(ContentStreamProvider.fromByteArray(bytes)).build()).call();
            String answer = new String(response.responseBody().orElseThrow().readAllBytes(), StandardCharsets.UTF_8);
            if (!response.httpResponse().isSuccessful()) {
                throw new IllegalStateException(target + ": HTTP " + response.httpResponse().statusCode() + " " + answer);
            }
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return value;
    }

    /** 26 random base32 characters, as task ids are. */
    /** The id a queue message {@code {"taskId":"..."}} names. */
    static String taskId(String messageBody) {
        return messageBody.substring(messageBody.indexOf(":\"") + 2, messageBody.lastIndexOf('"'));
    }

    /** The task table's key of task {@code id}. */
    static Map<String, AttributeValue> taskKey(String id) {
        return Map.of("pk", AttributeValue.fromS("task#" + id));
    }

    static String newId() {
        char[] alphabet = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
        char[] id = new char[26];
        for (int i = 0; i < id.length; i++) {
            id[i] = alphabet[RANDOM.nextInt(32)];
        }
        return new String(id);
    }
}
