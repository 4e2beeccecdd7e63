package dev.agenttasks.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.AwsJsonApi;
import dev.agenttasks.config.Config;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The function jars leave out the SDK's metadata of every AWS service (pom.xml: software/amazon/awssdk/regions/
 * servicemetadata, 0.73 MiB a jar), which only {@code ServiceMetadata.of} reads. This checks that the clients the
 * functions use never call it on their request path as the functions configure them in AWS: no endpoint override, the
 * region's endpoint from the endpoint rules. The calls run in a class loader of their own, which shows what they
 * loaded, against an HTTP client that answers in memory (nothing leaves the process).
 */
class SdkServiceMetadataTest {

    private static final String PROVIDER = "software.amazon.awssdk.regions.GeneratedServiceMetadataProvider";

    @Test
    void theClientsRequestPathsInAwsNeverLoadTheServiceMetadataTheJarsLeaveOut() throws Exception {
        try (Isolated loader = new Isolated()) {
            loader.loadClass(Calls.class.getName()).getMethod("run").invoke(null);

            assertThat(loader.loaded("software.amazon.awssdk.services.dynamodb.DefaultDynamoDbClient")).isTrue();
            assertThat(loader.loaded("software.amazon.awssdk.services.sqs.DefaultSqsClient")).isTrue();
            assertThat(loader.loaded("software.amazon.awssdk.services.bedrockruntime.DefaultBedrockRuntimeClient")).isTrue();
            assertThat(loader.loaded(PROVIDER)).as("the service metadata was read by %s", loader.firstLoad(PROVIDER)).isFalse();
        }
    }

    @Test
    void askingForAServicesMetadataLoadsIt() throws Exception {
        try (Isolated loader = new Isolated()) {
            loader.loadClass(Calls.class.getName()).getMethod("serviceMetadata").invoke(null);

            assertThat(loader.loaded(PROVIDER)).as("what the first test would see if the clients read it").isTrue();
        }
    }

    /** The calls, made inside {@link Isolated}. */
    public static final class Calls {

        private static final Map<String, String> IN_AWS = Map.of("AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret");

        private Calls() {
        }

        public static void run() {
            Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("task#1"));
            try (AwsClients aws = AwsClients.forPriming(Config.of(IN_AWS))) {
                DynamoDbClient dynamoDb = aws.dynamoDb();
                dynamoDb.getItem(b -> b.tableName("TasksTable").key(key));
                dynamoDb.putItem(b -> b.tableName("TasksTable").item(key).conditionExpression("attribute_not_exists(pk)"));
                dynamoDb.query(b -> b.tableName("TasksTable").indexName("active-due").keyConditionExpression("s = :s")
                        .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("0"))));
                aws.breakerDynamoDb().getItem(b -> b.tableName("BreakerTable").key(key));
                SqsClient sqs = aws.sqs();
                String queue = "https://sqs.us-east-1.amazonaws.com/123456789012/TaskQueue";
                sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{}"));
                sqs.changeMessageVisibility(b -> b.queueUrl(queue).receiptHandle("r").visibilityTimeout(5));
                sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10));
                aws.jsonApi(AwsJsonApi.Service.SSM).call("GetParameter", Map.of("Name", "/p", "WithDecryption", true));
            }
            try (DynamoDbClient refusing = DynamoDbClient.builder().region(Region.US_EAST_1).httpClient(new Refusing())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build()) {
                refusing.updateItem(b -> b.tableName("TasksTable").key(key).updateExpression("SET a = :a")
                        .conditionExpression("attribute_exists(pk)").expressionAttributeValues(Map.of(":a", AttributeValue.fromN("1"))));
                throw new AssertionError("the update was not refused");
            } catch (ConditionalCheckFailedException expected) {
                // the refusal, unmarshalled into its exception
            }
            try (BedrockRuntimeClient bedrock = BedrockRuntimeClient.builder().region(Region.US_EAST_1).httpClient(new Refusing())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build()) {
                bedrock.converse(b -> b.modelId("meta.llama3-3-70b-instruct-v1:0")
                        .messages(m -> m.role("user").content(c -> c.text("hello"))));
            }
        }

        public static void serviceMetadata() {
            DynamoDbClient.serviceMetadata();
        }
    }

    /** Answers DynamoDB's UpdateItem with a refused condition and anything else (Bedrock's Converse) with a reply. */
    static final class Refusing implements SdkHttpClient {

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            boolean update = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("").endsWith(".UpdateItem");
            int status = update ? 400 : 200;
            String body = update ? "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                    + "\"message\":\"The conditional request failed\"}"
                    : "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"hi\"}]}},"
                    + "\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1,\"totalTokens\":2}}";
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(status)
                                    .putHeader("Content-Type", "application/json")
                                    .putHeader("Content-Length", String.valueOf(bytes.length)).build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes)))
                            .build();
                }

                @Override
                public void abort() {
                    // nothing in flight
                }
            };
        }

        @Override
        public void close() {
            // nothing to release
        }
    }

    /** The test's class path in a loader of its own (parent: the platform's), which tells what it has loaded. */
    static final class Isolated extends URLClassLoader {

        private final Map<String, String> stacks = new java.util.concurrent.ConcurrentHashMap<>();

        Isolated() {
            super("isolated", classPath(), ClassLoader.getPlatformClassLoader());
        }

        boolean loaded(String name) {
            return findLoadedClass(name) != null;
        }

        /** Where {@code name} was loaded from: the stack of the code that needed it. */
        String firstLoad(String name) {
            return stacks.getOrDefault(name, "-");
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.equals(PROVIDER)) {
                java.io.StringWriter stack = new java.io.StringWriter();
                new Throwable().printStackTrace(new java.io.PrintWriter(stack));
                stacks.putIfAbsent(name, stack.toString());
            }
            return super.findClass(name);
        }

        private static URL[] classPath() {
            return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .map(entry -> {
                        try {
                            return Path.of(entry).toUri().toURL();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toArray(URL[]::new);
        }
    }
}
