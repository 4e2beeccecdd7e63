package dev.agenttasks.aws;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.agenttasks.json.JsonObject;
import dev.agenttasks.json.JsonReader;
import dev.agenttasks.json.JsonValue;
import dev.agenttasks.json.JsonWriter;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsExecutionAttribute;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.RequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ClasspathInterceptorChainFactory;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.InterceptorContext;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.GeneratedPartitionMetadataProvider;
import software.amazon.awssdk.regions.Region;

/**
 * An AWS service's JSON API (the {@code awsJson1_1} protocol: {@code POST /} with {@code X-Amz-Target}) called
 * without that service's SDK module, for a function that makes one call of it at init: the SSM client alone would be
 * 5.7 MiB of the worker's jar for one {@code GetParameter}. The request is signed by the SDK's own SigV4 signer with
 * the credentials the SDK clients use, and sent through their HTTP client.
 *
 * <p>A call is bounded as a whole: connecting, sending, the answer's headers and its body (at most
 * {@value #MAX_RESPONSE_BYTES} bytes) finish within the timeout, or the call fails at the timeout and the exchange
 * is aborted. Throttling, 5xx answers and failures before an answer are retried (at most {@value #MAX_ATTEMPTS}
 * attempts, 100 ms then 200 ms apart, within that timeout).
 * Failures are thrown as the SDK's own: {@link AwsServiceException} with the service's error code, or
 * {@link SdkClientException}.
 *
 * <p>Like an SDK client, a call runs the SDK's global execution interceptors (the ones named by
 * {@code software/amazon/awssdk/global/handlers/execution.interceptors} files on the class path) with the service,
 * operation, region and the request's top-level fields, so what observes the SDK's calls (the test kit's
 * {@code AwsCallRecorder}, a tracing instrumentor) observes this one too. Only the observing hooks run:
 * {@code beforeExecution}, then {@code afterExecution} (with the HTTP request and response, no SDK response) or
 * {@code onExecutionFailure}; the {@code modify*} hooks do not, so interceptors cannot change the request.
 */
public final class AwsJsonApi {

    /** A service's names: SigV4 signing name and endpoint prefix, the {@code X-Amz-Target} prefix, the SDK's name. */
    public record Service(String signingName, String targetPrefix, String serviceName) {
        public static final Service SSM = new Service("ssm", "AmazonSSM", "SSM");
    }

    static final int MAX_ATTEMPTS = 3;
    static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(100);
    static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final JsonValue EMPTY = new JsonObject(Map.of());

    private final Service service;
    private final URI endpoint;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http;
    private final Duration timeout;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final List<ExecutionInterceptor> interceptors = new ClasspathInterceptorChainFactory().getGlobalInterceptors();

    /**
     * @param endpoint the endpoint override ({@code AWS_ENDPOINT_URL}), else the service's regional endpoint
     * @param timeout  the bound of a whole call, retries included
     */
    AwsJsonApi(Service service, Optional<URI> endpoint, Region region, AwsCredentialsProvider credentials,
               SdkHttpClient http, Duration timeout) {
        this.service = service;
        this.region = region;
        this.endpoint = endpoint.orElseGet(() -> regionalEndpoint(service, region));
        this.credentials = credentials;
        this.http = http;
        this.timeout = timeout;
    }

    /**
     * {@code https://ssm.eu-west-1.amazonaws.com}: the pattern of every partition (China's ends in .com.cn). The
     * partition comes from the SDK's partition table itself, not {@code PartitionMetadata.of}, whose loader also
     * builds the metadata of every AWS service, which the function jars leave out (pom.xml).
     */
    static URI regionalEndpoint(Service service, Region region) {
        return URI.create("https://" + service.signingName() + "." + region.id() + "."
                + new GeneratedPartitionMetadataProvider().partitionMetadata(region).dnsSuffix());
    }

    URI endpoint() {
        return endpoint;
    }

    /**
     * Calls {@code operation} (e.g. {@code GetParameter}) with {@code request} as its JSON body and returns the
     * answer's JSON.
     *
     * @throws AwsServiceException the service refused the call (its error code in {@code awsErrorDetails()})
     * @throws SdkClientException  no answer within the timeout, a network failure, or an unreadable answer
     */
    public JsonValue call(String operation, Map<String, ?> request) {
        ExecutionAttributes attributes = new ExecutionAttributes();
        attributes.putAttribute(SdkExecutionAttribute.SERVICE_NAME, service.serviceName());
        attributes.putAttribute(SdkExecutionAttribute.OPERATION_NAME, operation);
        attributes.putAttribute(AwsExecutionAttribute.ENDPOINT_PREFIX, service.signingName());
        attributes.putAttribute(AwsExecutionAttribute.AWS_REGION, region);
        JsonRequest sdkRequest = new JsonRequest(request);
        interceptors.forEach(interceptor -> interceptor.beforeExecution(
                InterceptorContext.builder().request(sdkRequest).build(), attributes));
        Exchange exchange = new Exchange();
        try {
            JsonValue answer = callWithRetries(operation, body(request), exchange);
            InterceptorContext done = InterceptorContext.builder().request(sdkRequest)
                    .httpRequest(exchange.request).httpResponse(exchange.response).build();
            interceptors.forEach(interceptor -> interceptor.afterExecution(done, attributes));
            return answer;
        } catch (SdkException e) {
            Failed failed = new Failed(e, sdkRequest, Optional.ofNullable(exchange.request),
                    Optional.ofNullable(exchange.response), Optional.empty());
            interceptors.forEach(interceptor -> interceptor.onExecutionFailure(failed, attributes));
            throw e;
        }
    }

    private JsonValue callWithRetries(String operation, byte[] body, Exchange exchange) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration delay = FIRST_RETRY_DELAY;
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(operation, body, deadline, exchange);
            } catch (SdkException e) {
                if (attempt >= MAX_ATTEMPTS || !AwsErrors.isTransient(e)
                        || System.nanoTime() + delay.toNanos() >= deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SdkClientException.create(service.serviceName() + " " + operation + " was interrupted", e);
            }
            delay = delay.multipliedBy(2);
        }
    }

    private JsonValue attempt(String operation, byte[] body, long deadline, Exchange exchange) {
        long remainingNanos = deadline - System.nanoTime();
        if (remainingNanos <= 0) {
            throw timedOut(operation);
        }
        SdkHttpFullRequest unsigned = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .encodedPath(endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath())
                .putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("X-Amz-Target", service.targetPrefix() + "." + operation)
                .putHeader("Content-Length", String.valueOf(body.length))
                .build();
        AwsCredentialsIdentity identity = credentials.resolveCredentials();
        SignedRequest signed = signer.sign(sign -> sign.identity(identity)
                .request(unsigned)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service.signingName())
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
        exchange.request = signed.request();
        exchange.response = null;
        ExecutableHttpRequest call = http.prepareRequest(HttpExecuteRequest.builder()
                .request(signed.request())
                .contentStreamProvider(ContentStreamProvider.fromByteArrayUnsafe(body))
                .build());
        // The HTTP client's own timeouts bound connecting and each read, not the whole exchange. The exchange runs on
        // a thread of its own, which this one stops waiting for at the deadline: aborting a URLConnection does not
        // end a read of the body already under way (it waits for it), only the socket timeout does.
        FutureTask<Answer> exchanging = new FutureTask<>(() -> {
            HttpExecuteResponse response = call.call();
            return new Answer(response.httpResponse(), read(response.responseBody(), operation));
        });
        daemon(exchanging, "aws-json-api-call");
        Answer answer;
        try {
            answer = exchanging.get(remainingNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            daemon(call::abort, "aws-json-api-abort");
            throw timedOut(operation);
        } catch (InterruptedException e) {
            daemon(call::abort, "aws-json-api-abort");
            Thread.currentThread().interrupt();
            throw SdkClientException.create(service.serviceName() + " " + operation + " was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SdkException sdk) {
                throw sdk;
            }
            throw SdkClientException.create(service.serviceName() + " " + operation + " failed: " + e.getCause(),
                    e.getCause());
        }
        exchange.response = answer.response();
        return answer(operation, answer.response(), answer.body());
    }

    private static void daemon(Runnable work, String name) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
    }

    private SdkClientException timedOut(String operation) {
        return SdkClientException.create(service.serviceName() + " " + operation + " did not complete within "
                + timeout.toMillis() + " ms (" + endpoint + ")");
    }

    private static byte[] read(Optional<AbortableInputStream> body, String operation) throws IOException {
        if (body.isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = body.get()) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (bytes.length > MAX_RESPONSE_BYTES) {
                throw SdkClientException.create("the answer to " + operation + " is larger than " + MAX_RESPONSE_BYTES
                        + " bytes");
            }
            return bytes;
        }
    }

    /** The answer's JSON, or the service's error. A successful answer's text is never quoted: it may hold a secret. */
    private JsonValue answer(String operation, SdkHttpResponse response, byte[] body) {
        if (response.isSuccessful()) {
            try {
                return body.length == 0 ? EMPTY : JsonReader.tolerant().read(new String(body, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw SdkClientException.create("the answer to " + service.serviceName() + " " + operation
                        + " (HTTP " + response.statusCode() + ") is not JSON");
            }
        }
        JsonValue error;
        try {
            error = body.length == 0 ? EMPTY : JsonReader.tolerant().read(new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            error = EMPTY;
        }
        String code = errorCode(error.path("__type").asText(""),
                response.firstMatchingHeader("x-amzn-ErrorType").orElse(""));
        String message = error.has("message") ? error.path("message").asText() : error.path("Message").asText(null);
        throw AwsServiceException.builder()
                .message(message)
                .statusCode(response.statusCode())
                .requestId(response.firstMatchingHeader("x-amzn-RequestId").orElse(null))
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code.isEmpty() ? "HTTP " + response.statusCode() : code)
                        .errorMessage(message)
                        .serviceName(service.serviceName())
                        .sdkHttpResponse(response)
                        .build())
                .build();
    }

    /** {@code ParameterNotFound} of {@code com.amazonaws.ssm#ParameterNotFound} or {@code ParameterNotFound:http://...}. */
    static String errorCode(String type, String header) {
        String code = type.isEmpty() ? header : type;
        code = code.substring(code.lastIndexOf('#') + 1);
        int colon = code.indexOf(':');
        return colon < 0 ? code : code.substring(0, colon);
    }

    private static byte[] body(Map<String, ?> request) {
        try {
            return JsonWriter.compact().writeBytes(request);
        } catch (IllegalArgumentException e) {
            throw SdkClientException.create("the request cannot be written as JSON", e);
        }
    }

    /** An HTTP answer and its body. */
    private record Answer(SdkHttpResponse response, byte[] body) {
    }

    /** The last attempt's signed request and answer, for the interceptors. */
    private static final class Exchange {
        private SdkHttpRequest request;
        private SdkHttpResponse response;
    }

    /** The request as interceptors see it: its top-level fields by name ({@code Name}, {@code QueueUrl}...). */
    private static final class JsonRequest extends SdkRequest {

        private final Map<String, ?> fields;

        JsonRequest(Map<String, ?> fields) {
            this.fields = Map.copyOf(fields);
        }

        @Override
        public <T> Optional<T> getValueForField(String fieldName, Class<T> clazz) {
            Object value = fields.get(fieldName);
            return clazz.isInstance(value) ? Optional.of(clazz.cast(value)) : Optional.empty();
        }

        @Override
        public Optional<? extends RequestOverrideConfiguration> overrideConfiguration() {
            return Optional.empty();
        }

        @Override
        public List<SdkField<?>> sdkFields() {
            return List.of();
        }

        @Override
        public Builder toBuilder() {
            JsonRequest request = this;
            return new Builder() {
                @Override
                public RequestOverrideConfiguration overrideConfiguration() {
                    return null;
                }

                @Override
                public SdkRequest build() {
                    return request;
                }
            };
        }
    }

    private record Failed(Throwable exception, SdkRequest request, Optional<SdkHttpRequest> httpRequest,
                          Optional<SdkHttpResponse> httpResponse, Optional<SdkResponse> response)
            implements Context.FailedExecution {
    }
}
