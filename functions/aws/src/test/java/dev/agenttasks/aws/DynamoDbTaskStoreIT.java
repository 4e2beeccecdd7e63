package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.contract.TaskStoreContract;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.testkit.MotoEnvironment;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The task store contract against DynamoDB (moto), plus what only the table shows: TTL and the sparse index. */
class DynamoDbTaskStoreIT extends TaskStoreContract {

    private DynamoDbClient dynamoDb;
    private String table;
    private DynamoDbTaskRepository repository;

    @Override
    protected Store newStore() {
        Config config = Config.of(MotoEnvironment.fresh());
        dynamoDb = new AwsClients(config).dynamoDb();
        table = config.tasksTable();
        repository = new DynamoDbTaskRepository(dynamoDb, table);
        return new Store(repository, repository);
    }

    private Map<String, AttributeValue> item(String taskId) {
        return dynamoDb.getItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS("task#" + taskId)))).item();
    }

    @Test
    void aTaskCarriesItsExpiryInSecondsForDynamoDbTtl() {
        Task task = Task.pending(TaskIds.newId(), "iam:alice", "t", null, now, now.plus(Duration.ofDays(7)));
        repository.createIfAbsent(task);

        assertThat(item(task.id()).get("expires_at").n())
                .isEqualTo(Long.toString(now.plus(Duration.ofDays(7)).getEpochSecond()));
        assertThat(repository.find(task.id()).orElseThrow().expiresAt())
                .isEqualTo(now.plus(Duration.ofDays(7)).truncatedTo(ChronoUnit.SECONDS));
    }

    @Test
    void onlyLiveTasksCarryTheIndexKeys() {
        Task live = Task.pending(TaskIds.newId(), "iam:alice", "t", null, now, now.plus(Duration.ofDays(7)));
        Task done = Task.pending(TaskIds.newId(), "iam:alice", "t", null, now, now.plus(Duration.ofDays(7)));
        repository.createIfAbsent(live);
        repository.createIfAbsent(done);
        repository.claim(done.id(), "w", now, LEASE);
        repository.fail(done.id(), "w", dev.agenttasks.domain.task.TaskError.deadLettered(), null, now);

        List<String> indexed = dynamoDb.scan(b -> b.tableName(table).indexName("active-due")).items().stream()
                .map(entry -> entry.get("task_id").s()).toList();

        assertThat(indexed).containsExactly(live.id());
        assertThat(item(done.id())).doesNotContainKeys("active_shard", "due_at", "lease_owner", "lease_expires_at");
    }
}
