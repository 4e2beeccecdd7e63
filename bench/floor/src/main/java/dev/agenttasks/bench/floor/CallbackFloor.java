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

/** The callback function's floor: per record, GetItem, one POST of the task to its callback_url, one UpdateItem. */
public class CallbackFloor implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final DynamoDbClient dynamoDb = FloorClients.build(DynamoDbClient.builder());
    private final String table = FloorClients.env("TASKS_TABLE");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            String id = FloorClients.taskId(message.getBody());
            Map<String, AttributeValue> key = FloorClients.taskKey(id);
            Map<String, AttributeValue> task = dynamoDb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
            try {
                http.send(HttpRequest.newBuilder(URI.create(task.get("callback_url").s()))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\":\"" + id + "\"}")).build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            dynamoDb.updateItem(b -> b.tableName(table).key(key)
                    .updateExpression("SET callback_status = :delivered")
                    .expressionAttributeValues(Map.of(":delivered", AttributeValue.fromS("delivered"))));
        }
        return new SQSBatchResponse(List.of());
    }
}
