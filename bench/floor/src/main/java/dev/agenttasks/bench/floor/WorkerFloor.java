package dev.agenttasks.bench.floor;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The worker's floor: at init, the provider's key from SSM (when {@code LLM_API_KEY_PARAMETER} is set), with one signed
 * GetParameter of SSM's JSON API as the worker reads it; per record,
 * a conditional claim (UpdateItem returning the item), the message hidden for the lease (ChangeMessageVisibilityBatch),
 * a read of the model's breaker (GetItem), one chat completion over java.net.http, and the fenced completion
 * (UpdateItem).
 */
public class WorkerFloor implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final DynamoDbClient dynamoDb = FloorClients.build(DynamoDbClient.builder());
    private final SqsClient sqs = FloorClients.build(SqsClient.builder());
    private final String queue = FloorClients.env("TASK_QUEUE_URL");
    private final String table = FloorClients.env("TASKS_TABLE");
    private final String breakerTable = FloorClients.env("BREAKER_TABLE");
    private final String baseUrl = FloorClients.env("LLM_BASE_URL");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiKey;

    public WorkerFloor() {
        String parameter = System.getenv("LLM_API_KEY_PARAMETER");
        if (parameter != null && !parameter.isBlank()) {
            String answer = FloorClients.jsonApiCall("ssm", "AmazonSSM.GetParameter",
                    "{\"Name\":\"" + parameter + "\",\"WithDecryption\":true}");
            int value = answer.indexOf("\"Value\":\"") + "\"Value\":\"".length();
            apiKey = answer.substring(value, answer.indexOf('"', value));
        } else {
            apiKey = System.getenv().getOrDefault("LLM_API_KEY", "none");
        }
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            String id = FloorClients.taskId(message.getBody());
            Map<String, AttributeValue> key = FloorClients.taskKey(id);
            long now = System.currentTimeMillis();
            Map<String, AttributeValue> task = dynamoDb.updateItem(b -> b.tableName(table).key(key)
                    .updateExpression("SET #s = :running, lease_owner = :me, lease_expires_at = :exp ADD attempts :one")
                    .conditionExpression("#s = :pending")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":running", AttributeValue.fromS("running"),
                            ":pending", AttributeValue.fromS("pending"), ":me", AttributeValue.fromS(context.getAwsRequestId()),
                            ":exp", AttributeValue.fromN(Long.toString(now + 60_000)), ":one", AttributeValue.fromN("1")))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
            sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queue).entries(e -> e.id("0")
                    .receiptHandle(message.getReceiptHandle()).visibilityTimeout(62)));
            dynamoDb.getItem(b -> b.tableName(breakerTable).key(Map.of("pk", AttributeValue.fromS("breaker#openai#model"))));
            String answer = complete(task.get("input").s());
            dynamoDb.updateItem(b -> b.tableName(table).key(key)
                    .updateExpression("SET #s = :complete, #r = :result REMOVE lease_owner, lease_expires_at")
                    .conditionExpression("#s = :running AND lease_owner = :me")
                    .expressionAttributeNames(Map.of("#s", "status", "#r", "result"))
                    .expressionAttributeValues(Map.of(":complete", AttributeValue.fromS("complete"),
                            ":running", AttributeValue.fromS("running"), ":me", AttributeValue.fromS(context.getAwsRequestId()),
                            ":result", AttributeValue.fromS(answer))));
        }
        return new SQSBatchResponse(List.of());
    }

    private String complete(String input) {
        String request = "{\"model\":\"llama-3.1-8b-instant\",\"max_tokens\":400,\"messages\":[{\"role\":\"user\",\"content\":\""
                + input.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}]}";
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());
            return response.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
