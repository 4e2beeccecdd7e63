package dev.agenttasks.core.aws;

import java.time.Duration;

import dev.agenttasks.core.config.Settings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
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
 * Lean SDK clients: the URLConnection HTTP client, the region from {@code AWS_REGION}, and
 * {@code AWS_ENDPOINT_URL} honoured for moto or LocalStack. Build each once per process.
 */
public final class AwsClients {

    private static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Settings settings;
    private final SdkHttpClient http;

    public AwsClients(Settings settings) {
        this.settings = settings;
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10))
                .build();
    }

    public DynamoDbClient dynamoDb() {
        return build(DynamoDbClient.builder());
    }

    public SqsClient sqs() {
        return build(SqsClient.builder());
    }

    /** Any SDK client, configured like the others (HTTP client, region, credentials, endpoint, timeouts). */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
        builder.httpClient(http).region(region()).credentialsProvider(credentials()).overrideConfiguration(overrides());
        settings.awsEndpointUrl().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private Region region() {
        return Region.of(settings.get("AWS_REGION").or(() -> settings.get("AWS_DEFAULT_REGION")).orElse("us-east-1"));
    }

    private AwsCredentialsProvider credentials() {
        var accessKey = settings.get("AWS_ACCESS_KEY_ID");
        var secretKey = settings.get("AWS_SECRET_ACCESS_KEY");
        if (accessKey.isPresent() && secretKey.isPresent()) {
            var sessionToken = settings.get("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(sessionToken.isPresent()
                    ? AwsSessionCredentials.create(accessKey.get(), secretKey.get(), sessionToken.get())
                    : AwsBasicCredentials.create(accessKey.get(), secretKey.get()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder().apiCallTimeout(API_CALL_TIMEOUT).build();
    }
}
