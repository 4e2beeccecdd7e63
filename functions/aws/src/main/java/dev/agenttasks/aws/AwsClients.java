package dev.agenttasks.aws;

import java.time.Duration;

import dev.agenttasks.config.Config;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Lean SDK clients: the URLConnection HTTP client, the configured region, and {@code AWS_ENDPOINT_URL}
 * honoured for moto or LocalStack. Build each once per process.
 */
public final class AwsClients {

    private static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(10);
    /** The breaker table's client gives up within a second: every provider call waits on it, and the breaker fails open. */
    static final Duration BREAKER_API_CALL_TIMEOUT = Duration.ofSeconds(1);
    static final int BREAKER_MAX_ATTEMPTS = 2;

    private final Config config;
    private final SdkHttpClient http;

    public AwsClients(Config config) {
        this.config = config;
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10))
                .build();
    }

    public DynamoDbClient dynamoDb() {
        return build(DynamoDbClient.builder());
    }

    /**
     * A DynamoDB client for the breaker table: at most {@value #BREAKER_MAX_ATTEMPTS} attempts within
     * {@link #BREAKER_API_CALL_TIMEOUT}, so an unreachable table costs a call a second at most before the
     * breaker fails open, rather than the ten seconds the other clients allow.
     */
    public DynamoDbClient breakerDynamoDb() {
        return build(DynamoDbClient.builder(), ClientOverrideConfiguration.builder()
                .apiCallTimeout(BREAKER_API_CALL_TIMEOUT)
                .retryStrategy(retry -> retry.maxAttempts(BREAKER_MAX_ATTEMPTS))
                .build());
    }

    public SqsClient sqs() {
        return build(SqsClient.builder());
    }

    /** Any SDK client, configured like the others (HTTP client, region, credentials, endpoint, timeouts). */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
        return build(builder, ClientOverrideConfiguration.builder().apiCallTimeout(API_CALL_TIMEOUT).build());
    }

    /** Any SDK client with its own overrides (timeouts, retries, interceptors) and the shared rest. */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder,
                                                                                   ClientOverrideConfiguration overrides) {
        builder.httpClient(http)
                .region(Region.of(config.awsRegion()))
                .credentialsProvider(credentials())
                .overrideConfiguration(overrides);
        config.awsEndpointUrl().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private AwsCredentialsProvider credentials() {
        return config.credentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(c.sessionToken().isPresent()
                        ? AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken().get())
                        : AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }
}
