package dev.agenttasks.bench.floor;

import java.util.HashMap;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The reconciler's floor: one Query per shard of the live-task index, a Scan of the breakers, one DLQ receive. */
public class ReconcilerFloor implements RequestHandler<ScheduledEvent, Map<String, Object>> {

    private final DynamoDbClient dynamoDb = FloorClients.build(DynamoDbClient.builder());
    private final SqsClient sqs = FloorClients.build(SqsClient.builder());
    private final String table = FloorClients.env("TASKS_TABLE");
    private final String breakerTable = FloorClients.env("BREAKER_TABLE");
    private final String dlq = FloorClients.env("TASK_DLQ_URL");

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        int due = 0;
        String now = Long.toString(System.currentTimeMillis());
        for (int shard = 0; shard < 8; shard++) {
            String s = Integer.toString(shard);
            due += dynamoDb.query(b -> b.tableName(table).indexName("active-due")
                    .keyConditionExpression("active_shard = :s AND due_at <= :now")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(s), ":now", AttributeValue.fromN(now))))
                    .count();
        }
        dynamoDb.scan(b -> b.tableName(breakerTable));
        int dead = sqs.receiveMessage(b -> b.queueUrl(dlq).maxNumberOfMessages(10).waitTimeSeconds(0)).messages().size();
        Map<String, Object> summary = new HashMap<>();
        summary.put("due", due);
        summary.put("deadLettered", dead);
        return summary;
    }
}
