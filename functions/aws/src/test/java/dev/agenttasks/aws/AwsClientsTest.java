package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

class AwsClientsTest {

    private static final Map<String, String> KEYS = Map.of("AWS_ACCESS_KEY_ID", "AKIAINIT", "AWS_SECRET_ACCESS_KEY", "secret");

    @Test
    void insideLambdaTheCredentialsComeFromTheDefaultChainEvenWithKeysInTheEnvironment() {
        Map<String, String> lambda = new java.util.HashMap<>(KEYS);
        lambda.put("AWS_LAMBDA_FUNCTION_NAME", "agent-tasks-worker");

        assertThat(new AwsClients(Config.of(lambda)).credentials()).isInstanceOf(DefaultCredentialsProvider.class);
        assertThat(new AwsClients(Config.of(KEYS)).credentials()).as("outside Lambda: the keys as given")
                .isInstanceOf(StaticCredentialsProvider.class);
    }

    @Test
    void primingClientsRunTheWholeRequestPathWithoutSendingAnything() throws IOException {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }   // nothing listens there now: a request that left the process would fail
        Config config = Config.of(Map.of("AWS_ENDPOINT_URL", closed.toString(), "AWS_LAMBDA_FUNCTION_NAME", "f"));
        AwsClients priming = AwsClients.forPriming(config);

        try (DynamoDbClient dynamoDb = priming.dynamoDb(); SqsClient sqs = priming.sqs()) {
            assertThat(dynamoDb.getItem(b -> b.tableName("TasksTable").key(Map.of("pk", AttributeValue.fromS("task#x"))))
                    .hasItem()).isFalse();
            dynamoDb.updateItem(b -> b.tableName("TasksTable").key(Map.of("pk", AttributeValue.fromS("task#x")))
                    .updateExpression("SET a = :a").expressionAttributeValues(Map.of(":a", AttributeValue.fromN("1"))));
            assertThat(dynamoDb.query(b -> b.tableName("TasksTable").indexName("active-due")
                    .keyConditionExpression("s = :s").expressionAttributeValues(Map.of(":s", AttributeValue.fromS("0"))))
                    .items()).isEmpty();
            sqs.sendMessage(b -> b.queueUrl(closed + "/123456789012/TaskQueue").messageBody("{}"));
        }
        new AwsClients(config).primeHttpClient();   // prepares a connection to the closed port and aborts it: no connect
    }
}
