package dev.agenttasks.bench.floor;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The submit function's floor: one conditional PutItem of the body and one SendMessage, then 202. */
public class SubmitFloor implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final DynamoDbClient dynamoDb = FloorClients.build(DynamoDbClient.builder());
    private final SqsClient sqs = FloorClients.build(SqsClient.builder());
    private final String table = FloorClients.env("TASKS_TABLE");
    private final String queue = FloorClients.env("TASK_QUEUE_URL");

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String id = FloorClients.newId();
        dynamoDb.putItem(b -> b.tableName(table)
                .item(Map.of("pk", AttributeValue.fromS("floor#" + id), "input", AttributeValue.fromS(event.getBody()),
                        "status", AttributeValue.fromS("pending")))
                .conditionExpression("attribute_not_exists(pk)"));
        sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{\"taskId\":\"" + id + "\"}"));
        return APIGatewayV2HTTPResponse.builder().withStatusCode(202)
                .withHeaders(Map.of("Content-Type", "application/json"))
                .withBody("{\"task_id\":\"" + id + "\",\"status\":\"pending\"}").build();
    }
}
