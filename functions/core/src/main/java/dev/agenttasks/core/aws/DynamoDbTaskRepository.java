package dev.agenttasks.core.aws;

import static dev.agenttasks.core.aws.TaskItems.*;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.agenttasks.core.port.DependencyUnavailableException;
import dev.agenttasks.core.port.TaskRepository;
import dev.agenttasks.core.task.Task;
import dev.agenttasks.core.task.TaskError;
import dev.agenttasks.core.task.TaskOutcome;
import dev.agenttasks.core.task.TaskStatus;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/** {@link TaskRepository} on a DynamoDB table keyed by {@code pk = "task#" + id}. */
public final class DynamoDbTaskRepository implements TaskRepository {

    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbTaskRepository(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public Optional<Task> createIfAbsent(Task task) {
        try {
            dynamoDb.putItem(b -> b.tableName(table)
                    .item(toItem(task))
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", PK))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            return e.hasItem() && !e.item().isEmpty() ? Optional.of(fromItem(e.item())) : find(task.id());
        } catch (SdkException e) {
            throw unavailable("store task", e);
        }
    }

    @Override
    public Optional<Task> find(String taskId) {
        try {
            Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(key(taskId))
                    .consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
        } catch (SdkException e) {
            throw unavailable("read task", e);
        }
    }

    @Override
    public boolean claimEnqueue(String taskId, Instant now, Instant staleBefore) {
        return conditionalUpdate(taskId,
                "SET #claimed = :now",
                "attribute_exists(#pk) AND #status = :pending AND attribute_not_exists(#enqueued)"
                        + " AND (attribute_not_exists(#claimed) OR #claimed < :stale)",
                Map.of("#claimed", ENQUEUE_CLAIMED_AT, "#pk", PK, "#status", STATUS, "#enqueued", ENQUEUED_AT),
                Map.of(":now", n(now.toEpochMilli()), ":pending", s(TaskStatus.PENDING.value()),
                        ":stale", n(staleBefore.toEpochMilli())),
                "claim enqueue").isPresent();
    }

    @Override
    public void markEnqueued(String taskId, Instant now) {
        conditionalUpdate(taskId, "SET #enqueued = :now", "attribute_exists(#pk)",
                Map.of("#enqueued", ENQUEUED_AT, "#pk", PK), Map.of(":now", n(now.toEpochMilli())), "mark enqueued");
    }

    @Override
    public ClaimResult claim(String taskId, String leaseOwner, Instant now, Duration lease) {
        UpdateItemRequest request = UpdateItemRequest.builder()
                .tableName(table)
                .key(key(taskId))
                .updateExpression("SET #status = :running, #owner = :owner, #expires = :expires, #updated = :now,"
                        + " #attempts = if_not_exists(#attempts, :zero) + :one REMOVE #retryAt")
                .conditionExpression("attribute_exists(#pk) AND (#status = :pending"
                        + " OR (#status = :running AND #expires < :now))")
                .expressionAttributeNames(Map.of("#status", STATUS, "#owner", LEASE_OWNER, "#expires", LEASE_EXPIRES_AT,
                        "#updated", UPDATED_AT, "#attempts", ATTEMPTS, "#retryAt", RETRY_AT, "#pk", PK))
                .expressionAttributeValues(Map.of(
                        ":running", s(TaskStatus.RUNNING.value()),
                        ":pending", s(TaskStatus.PENDING.value()),
                        ":owner", s(leaseOwner),
                        ":expires", n(now.plus(lease).toEpochMilli()),
                        ":now", n(now.toEpochMilli()),
                        ":zero", n(0),
                        ":one", n(1)))
                .returnValues(ReturnValue.ALL_NEW)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        try {
            UpdateItemResponse response = dynamoDb.updateItem(request);
            return ClaimResult.claimed(fromItem(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return ClaimResult.refused(e.hasItem() && !e.item().isEmpty() ? Optional.of(fromItem(e.item())) : find(taskId));
        } catch (SdkException e) {
            throw unavailable("claim task", e);
        }
    }

    @Override
    public boolean recordAttempt(String taskId, String leaseOwner, Instant now, Duration lease) {
        return conditionalUpdate(taskId,
                "SET #attempts = #attempts + :one, #expires = :expires, #updated = :now",
                "#status = :running AND #owner = :owner",
                Map.of("#attempts", ATTEMPTS, "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT, "#status", STATUS,
                        "#owner", LEASE_OWNER),
                Map.of(":one", n(1), ":expires", n(now.plus(lease).toEpochMilli()), ":now", n(now.toEpochMilli()),
                        ":running", s(TaskStatus.RUNNING.value()), ":owner", s(leaseOwner)),
                "record attempt").isPresent();
    }

    @Override
    public boolean complete(String taskId, String leaseOwner, TaskOutcome outcome, Instant now) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#owner", LEASE_OWNER,
                "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT, "#model", MODEL, "#result", RESULT,
                "#in", INPUT_TOKENS, "#out", OUTPUT_TOKENS, "#duration", DURATION_MS));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":complete", s(TaskStatus.COMPLETE.value()),
                ":running", s(TaskStatus.RUNNING.value()),
                ":owner", s(leaseOwner),
                ":now", n(now.toEpochMilli()),
                ":model", s(outcome.model()),
                ":result", s(outcome.result()),
                ":in", n(outcome.usage().inputTokens()),
                ":out", n(outcome.usage().outputTokens()),
                ":duration", n(outcome.durationMs())));
        String set = "SET #status = :complete, #updated = :now, #model = :model, #result = :result,"
                + " #in = :in, #out = :out, #duration = :duration";
        if (outcome.costUsd() != null) {
            names.put("#cost", COST_USD);
            values.put(":cost", n(outcome.costUsd()));
            set += ", #cost = :cost";
        }
        return conditionalUpdate(taskId, set + " REMOVE #owner, #expires",
                "#status = :running AND #owner = :owner", names, values, "complete task").isPresent();
    }

    @Override
    public boolean fail(String taskId, String leaseOwner, TaskError error, Long durationMs, Instant now) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#owner", LEASE_OWNER,
                "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT, "#code", ERROR_CODE, "#message", ERROR_MESSAGE));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":failed", s(TaskStatus.FAILED.value()),
                ":running", s(TaskStatus.RUNNING.value()),
                ":owner", s(leaseOwner),
                ":now", n(now.toEpochMilli()),
                ":code", s(error.code()),
                ":message", s(error.message())));
        String set = "SET #status = :failed, #updated = :now, #code = :code, #message = :message";
        if (durationMs != null) {
            names.put("#duration", DURATION_MS);
            values.put(":duration", n(durationMs));
            set += ", #duration = :duration";
        }
        return conditionalUpdate(taskId, set + " REMOVE #owner, #expires",
                "#status = :running AND #owner = :owner", names, values, "fail task").isPresent();
    }

    @Override
    public boolean release(String taskId, String leaseOwner, Instant now, Instant retryAt) {
        return conditionalUpdate(taskId,
                "SET #status = :pending, #updated = :now, #retryAt = :retryAt REMOVE #owner, #expires",
                "#status = :running AND #owner = :owner",
                Map.of("#status", STATUS, "#owner", LEASE_OWNER, "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT,
                        "#retryAt", RETRY_AT),
                Map.of(":pending", s(TaskStatus.PENDING.value()), ":running", s(TaskStatus.RUNNING.value()),
                        ":owner", s(leaseOwner), ":now", n(now.toEpochMilli()), ":retryAt", n(retryAt.toEpochMilli())),
                "release task").isPresent();
    }

    /** Applies an update if its condition holds; empty when it did not. */
    private Optional<Map<String, AttributeValue>> conditionalUpdate(String taskId, String update, String condition,
                                                                    Map<String, String> names,
                                                                    Map<String, AttributeValue> values,
                                                                    String action) {
        try {
            UpdateItemResponse response = dynamoDb.updateItem(b -> b.tableName(table)
                    .key(key(taskId))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.UPDATED_NEW));
            return Optional.of(response.attributes());
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw unavailable(action, e);
        }
    }

    static DependencyUnavailableException unavailable(String action, SdkException e) {
        return new DependencyUnavailableException("DynamoDB: could not " + action, e);
    }
}
