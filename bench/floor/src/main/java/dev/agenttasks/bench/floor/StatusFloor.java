package dev.agenttasks.bench.floor;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The status function's floor: one consistent GetItem of the task in the path, then 200 with its status. */
public class StatusFloor implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final DynamoDbClient dynamoDb = FloorClients.build(DynamoDbClient.builder());
    private final String table = FloorClients.env("TASKS_TABLE");

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String id = event.getPathParameters().get("id");
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table)
                .key(FloorClients.taskKey(id)).consistentRead(true)).item();
        String status = item == null || !item.containsKey("status") ? "unknown" : item.get("status").s();
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                .withHeaders(Map.of("Content-Type", "application/json"))
                .withBody("{\"task_id\":\"" + id + "\",\"status\":\"" + status + "\"}").build();
    }
}
