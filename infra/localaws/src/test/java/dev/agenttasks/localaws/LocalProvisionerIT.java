package dev.agenttasks.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** LocalProvisioner against moto: what template.yaml declares, created once, found again on the next run. */
class LocalProvisionerIT {

    private final SamTemplate template = SamTemplate.load(SharedMotoServer.findTemplate());
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;

    @BeforeEach
    void setUp() {
        MotoServer moto = SharedMotoServer.get();
        moto.reset();
        dynamoDb = LocalAws.dynamoDb(moto.endpoint());
        sqs = LocalAws.sqs(moto.endpoint());
    }

    @AfterEach
    void tearDown() {
        dynamoDb.close();
        sqs.close();
    }

    /** Every table's creation time and every queue's created timestamp: they change if anything is recreated. */
    private Map<String, String> fingerprint() {
        Map<String, String> state = new TreeMap<>();
        for (String table : dynamoDb.listTables().tableNames()) {
            Instant created = dynamoDb.describeTable(b -> b.tableName(table)).table().creationDateTime();
            state.put("table " + table, String.valueOf(created));
        }
        for (String url : sqs.listQueues().queueUrls()) {
            state.put("queue " + url, sqs.getQueueAttributes(b -> b.queueUrl(url)
                    .attributeNames(QueueAttributeName.CREATED_TIMESTAMP)).attributes().get(QueueAttributeName.CREATED_TIMESTAMP));
        }
        return state;
    }

    @Test
    void provisioningTwiceCreatesNothingTheSecondTimeAndAnswersTheSameResources() {
        LocalProvisioner provisioner = new LocalProvisioner(dynamoDb, sqs, "");
        LocalResources first = provisioner.provision(template);
        Map<String, String> afterFirst = fingerprint();

        LocalResources second = new LocalProvisioner(dynamoDb, sqs, "").provision(template);

        assertThat(second).isEqualTo(first);
        assertThat(second.environment()).isEqualTo(first.environment());
        assertThat(fingerprint()).isEqualTo(afterFirst);
        assertThat(dynamoDb.listTables().tableNames()).containsExactlyInAnyOrderElementsOf(template.tables().keySet());
        assertThat(sqs.listQueues().queueUrls()).hasSize(template.queues().size());
    }

    @Test
    void theResourcesFollowTheTemplate() {
        LocalResources resources = new LocalProvisioner(dynamoDb, sqs, "").provision(template);

        LocalResources.Queue queue = resources.queue("TaskQueue");
        LocalResources.Queue dlq = resources.queue("TaskDLQ");
        assertThat(queue.visibilityTimeoutSeconds())
                .isEqualTo(template.queues().get("TaskQueue").get("VisibilityTimeout"));
        String redrive = sqs.getQueueAttributes(b -> b.queueUrl(queue.url())
                .attributeNames(QueueAttributeName.REDRIVE_POLICY)).attributes().get(QueueAttributeName.REDRIVE_POLICY);
        assertThat(redrive).contains(dlq.arn()).contains(String.valueOf(
                SamTemplate.map(template.queues().get("TaskQueue").get("RedrivePolicy")).get("maxReceiveCount")));
        assertThat(dynamoDb.describeTimeToLive(b -> b.tableName(resources.table("TasksTable")))
                .timeToLiveDescription().timeToLiveStatus()).isEqualTo(TimeToLiveStatus.ENABLED);
        assertThat(resources.environment()).containsOnlyKeys("TASKS_TABLE", "BREAKER_TABLE", "TASK_QUEUE_URL", "TASK_DLQ_URL",
                "CALLBACK_QUEUE_URL");
    }

    @Test
    void aPrefixKeepsTwoStacksApart() {
        LocalResources a = new LocalProvisioner(dynamoDb, sqs, "a-").provision(template);
        LocalResources b = new LocalProvisioner(dynamoDb, sqs, "b-").provision(template);

        assertThat(a.table("TasksTable")).isEqualTo("a-TasksTable");
        assertThat(b.table("TasksTable")).isEqualTo("b-TasksTable");
        assertThat(a.queue("TaskQueue").url()).isNotEqualTo(b.queue("TaskQueue").url());
        assertThat(dynamoDb.listTables().tableNames()).hasSize(2 * template.tables().size());
        assertThat(List.copyOf(sqs.listQueues().queueUrls())).hasSize(2 * template.queues().size());
    }
}
