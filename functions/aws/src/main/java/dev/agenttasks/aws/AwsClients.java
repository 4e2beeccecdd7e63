package dev.agenttasks.aws;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.agenttasks.config.Config;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Lean SDK clients: the URLConnection HTTP client, the configured region, and {@code AWS_ENDPOINT_URL}
 * honoured for moto or LocalStack. Build each once per process.
 *
 * <p>Inside Lambda the credentials always come from the SDK's default chain, which reads them when a request
 * needs them and refreshes them before they expire: under SnapStart that is the container credentials endpoint
 * of the restored sandbox, never keys captured in a snapshot. Outside Lambda, keys in the environment are used
 * as given (moto and LocalStack accept any).
 */
public final class AwsClients implements AutoCloseable {

    private static final long API_CALL_TIMEOUT_SECONDS = 10;
    private static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(API_CALL_TIMEOUT_SECONDS);
    /** The breaker table's client gives up within a second: every provider call waits on it, and the breaker fails open. */
    static final Duration BREAKER_API_CALL_TIMEOUT = Duration.ofSeconds(1);
    static final int BREAKER_MAX_ATTEMPTS = 2;

    private final Config config;
    private final SdkHttpClient http;
    private final boolean priming;
    private final List<SdkAutoCloseable> built = new CopyOnWriteArrayList<>();
    private SqsClient sqs;

    public AwsClients(Config config) {
        this(config, UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10))
                .build(), false);
    }

    private AwsClients(Config config, SdkHttpClient http, boolean priming) {
        this.config = config;
        this.http = http;
        this.priming = priming;
    }

    /**
     * Clients for warming the SDK before a SnapStart snapshot: configured like the real ones, but every request is
     * answered in memory ({@link PrimingHttpClient}) and signed with placeholder keys, so a call runs the whole
     * request path (endpoint rules, marshalling, signing, unmarshalling) and nothing leaves the process.
     */
    public static AwsClients forPriming(Config config) {
        return new AwsClients(config, new PrimingHttpClient(), true);
    }

    /**
     * Loads the URLConnection client's HTTPS request path without connecting: prepares a request to the region's
     * DynamoDB endpoint (or {@code AWS_ENDPOINT_URL}) and aborts it before it is sent.
     */
    public void primeHttpClient() {
        URI endpoint = config.awsEndpointUrl().orElse(URI.create("https://dynamodb." + config.awsRegion() + ".amazonaws.com"));
        HttpExecuteRequest request = HttpExecuteRequest.builder()
                .request(SdkHttpRequest.builder().uri(endpoint).method(SdkHttpMethod.POST).build())
                .build();
        http.prepareRequest(request).abort();
    }

    public DynamoDbClient dynamoDb() {
        return build(DynamoDbClient.builder());
    }

    /**
     * A DynamoDB client for the breaker table: at most {@value #BREAKER_MAX_ATTEMPTS} attempts within
     * {@link #BREAKER_API_CALL_TIMEOUT}, so an unreachable table costs a call a second at most before the
     * breaker fails open, rather than the ten seconds the other clients allow (which it keeps against a local
     * endpoint).
     */
    public DynamoDbClient breakerDynamoDb() {
        // moto and LocalStack (an endpoint override) answer DynamoDB one request at a time: under a busy local
        // stack a second is not enough, and a breaker that fails open there would not show what it does in AWS.
        Duration timeout = config.awsEndpointUrl().isPresent() ? API_CALL_TIMEOUT : BREAKER_API_CALL_TIMEOUT;
        return build(DynamoDbClient.builder(), ClientOverrideConfiguration.builder()
                .apiCallTimeout(timeout)
                .retryStrategy(retry -> retry.maxAttempts(BREAKER_MAX_ATTEMPTS))
                .build());
    }

    /** The SQS client, built on first use and shared by every queue adapter of this wiring. */
    public synchronized SqsClient sqs() {
        if (sqs == null) {
            sqs = build(SqsClient.builder());
        }
        return sqs;
    }

    /** SSM parameters, read through SSM's JSON API: the worker reads one at init and carries no SSM client. */
    public SsmParameterReader ssmParameters() {
        return new SsmParameterReader(jsonApi(AwsJsonApi.Service.SSM));
    }

    /**
     * {@code service}'s JSON API without its SDK module, configured like the clients (HTTP client, region,
     * credentials, endpoint, a {@value #API_CALL_TIMEOUT_SECONDS} s bound on a call).
     */
    public AwsJsonApi jsonApi(AwsJsonApi.Service service) {
        return new AwsJsonApi(service, config.awsEndpointUrl(), Region.of(config.awsRegion()), credentials(), http,
                API_CALL_TIMEOUT);
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
        C client = builder.build();
        if (client instanceof SdkAutoCloseable closeable) {
            built.add(closeable);
        }
        return client;
    }

    /** Closes every client built here and the HTTP client they share. */
    @Override
    public void close() {
        built.forEach(SdkAutoCloseable::close);
        built.clear();
        http.close();
    }

    AwsCredentialsProvider credentials() {
        if (priming) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming"));
        }
        if (config.inLambda()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return config.credentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(c.sessionToken().isPresent()
                        ? AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken().get())
                        : AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }
}
