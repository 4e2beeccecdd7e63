package dev.agenttasks.localaws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Creates the tables and queues {@code template.yaml} declares, each only if it is missing.
 * Local names are the template's logical ids (with an optional prefix).
 */
public final class LocalProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(LocalProvisioner.class);

    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final String prefix;

    public LocalProvisioner(DynamoDbClient dynamoDb, SqsClient sqs, String prefix) {
        this.dynamoDb = dynamoDb;
        this.sqs = sqs;
        this.prefix = prefix;
    }

    public LocalResources provision(SamTemplate template) {
        Map<String, String> tableNames = new LinkedHashMap<>();
        template.tables().forEach((id, properties) -> tableNames.put(id, ensureTable(prefix + id, properties)));
        Map<String, LocalResources.Queue> queues = new LinkedHashMap<>();
        Map<String, Map<String, Object>> pending = new LinkedHashMap<>(template.queues());
        // Dead-letter queues first: a RedrivePolicy needs its target's ARN.
        while (!pending.isEmpty()) {
            int before = pending.size();
            for (String id : new ArrayList<>(pending.keySet())) {
                Map<String, Object> properties = pending.get(id);
                String dlqId = redriveTarget(properties);
                if (dlqId == null || queues.containsKey(dlqId)) {
                    queues.put(id, ensureQueue(prefix + id, properties, dlqId == null ? null : queues.get(dlqId)));
                    pending.remove(id);
                }
            }
            if (pending.size() == before) {
                throw new IllegalStateException("queues redrive to unknown queues: " + pending.keySet());
            }
        }
        return new LocalResources(tableNames, queues);
    }

    private String ensureTable(String name, Map<String, Object> properties) {
        try {
            dynamoDb.describeTable(b -> b.tableName(name));
            LOG.info("table {} exists", name);
            return name;
        } catch (ResourceNotFoundException missing) {
            // create it below
        }
        List<AttributeDefinition> attributes = new ArrayList<>();
        for (Object definition : list(properties.get("AttributeDefinitions"))) {
            Map<String, Object> d = SamTemplate.map(definition);
            attributes.add(AttributeDefinition.builder()
                    .attributeName(String.valueOf(d.get("AttributeName")))
                    .attributeType(String.valueOf(d.get("AttributeType"))).build());
        }
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (Object index : list(properties.get("GlobalSecondaryIndexes"))) {
            Map<String, Object> i = SamTemplate.map(index);
            Map<String, Object> projection = SamTemplate.map(i.get("Projection"));
            Projection.Builder p = Projection.builder().projectionType(String.valueOf(projection.getOrDefault("ProjectionType", "ALL")));
            if (projection.get("NonKeyAttributes") instanceof List<?> nonKey) {
                p.nonKeyAttributes(nonKey.stream().map(String::valueOf).toList());
            }
            indexes.add(GlobalSecondaryIndex.builder()
                    .indexName(String.valueOf(i.get("IndexName")))
                    .keySchema(keySchema(i.get("KeySchema")))
                    .projection(p.build()).build());
        }
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attributes)
                .keySchema(keySchema(properties.get("KeySchema")));
        if (!indexes.isEmpty()) {
            request.globalSecondaryIndexes(indexes);
        }
        try {
            dynamoDb.createTable(request.build());
            dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(name));
            LOG.info("created table {}", name);
        } catch (ResourceInUseException raced) {
            LOG.info("table {} was created concurrently", name);
        }
        Map<String, Object> ttl = SamTemplate.map(properties.get("TimeToLiveSpecification"));
        if (Boolean.TRUE.equals(ttl.get("Enabled"))) {
            dynamoDb.updateTimeToLive(b -> b.tableName(name).timeToLiveSpecification(t -> t
                    .attributeName(String.valueOf(ttl.get("AttributeName"))).enabled(true)));
        }
        return name;
    }

    private static List<KeySchemaElement> keySchema(Object schema) {
        List<KeySchemaElement> keys = new ArrayList<>();
        for (Object element : list(schema)) {
            Map<String, Object> k = SamTemplate.map(element);
            keys.add(KeySchemaElement.builder()
                    .attributeName(String.valueOf(k.get("AttributeName")))
                    .keyType(String.valueOf(k.get("KeyType"))).build());
        }
        return keys;
    }

    private LocalResources.Queue ensureQueue(String name, Map<String, Object> properties, LocalResources.Queue deadLetter) {
        String url;
        try {
            url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
            LOG.info("queue {} exists", name);
        } catch (QueueDoesNotExistException missing) {
            Map<QueueAttributeName, String> attributes = new HashMap<>();
            copy(properties, "VisibilityTimeout", attributes, QueueAttributeName.VISIBILITY_TIMEOUT);
            copy(properties, "MessageRetentionPeriod", attributes, QueueAttributeName.MESSAGE_RETENTION_PERIOD);
            copy(properties, "ReceiveMessageWaitTimeSeconds", attributes, QueueAttributeName.RECEIVE_MESSAGE_WAIT_TIME_SECONDS);
            copy(properties, "DelaySeconds", attributes, QueueAttributeName.DELAY_SECONDS);
            if (deadLetter != null) {
                Object maxReceiveCount = SamTemplate.map(properties.get("RedrivePolicy")).get("maxReceiveCount");
                attributes.put(QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + deadLetter.arn()
                        + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}");
            }
            url = sqs.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
            LOG.info("created queue {}", name);
        }
        String queueUrl = url;
        GetQueueAttributesResponse attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN, QueueAttributeName.VISIBILITY_TIMEOUT));
        return new LocalResources.Queue(name, url, attributes.attributes().get(QueueAttributeName.QUEUE_ARN),
                Integer.parseInt(attributes.attributes().getOrDefault(QueueAttributeName.VISIBILITY_TIMEOUT, "30")));
    }

    private static String redriveTarget(Map<String, Object> properties) {
        Object target = SamTemplate.map(properties.get("RedrivePolicy")).get("deadLetterTargetArn");
        return target == null ? null : SamTemplate.logicalIdOf(target);
    }

    private static void copy(Map<String, Object> properties, String property,
                             Map<QueueAttributeName, String> attributes, QueueAttributeName name) {
        Object value = properties.get(property);
        if (value != null) {
            attributes.put(name, value.toString());
        }
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }
}
