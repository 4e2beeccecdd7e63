package dev.agenttasks.aws;

import static dev.agenttasks.aws.TaskItems.n;
import static dev.agenttasks.aws.TaskItems.s;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.port.IdempotencyStore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Idempotency keys as items {@code pk = "idem#" + sha256(caller, key)} in the tasks table. One conditional
 * PutItem decides the winner; the loser reads the winner from {@code ALL_OLD} without a second request (or,
 * when the failed write does not carry it, with one consistent read).
 * Expiry is checked in the condition itself, since DynamoDB TTL deletes late.
 */
public final class DynamoDbIdempotencyStore implements IdempotencyStore {

    static final String KEY_PREFIX = "idem#";
    static final String FINGERPRINT = "fingerprint";
    static final String KEY_EXPIRES_AT_MS = "key_expires_at";

    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbIdempotencyStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public Optional<KeyRecord> bindIfAbsent(String caller, String key, KeyRecord candidate, Instant now) {
        Map<String, AttributeValue> item = Map.of(
                TaskItems.PK, s(KEY_PREFIX + hash(caller, key)),
                TaskItems.KIND, s("idempotency-key"),
                TaskItems.TASK_ID, s(candidate.taskId()),
                FINGERPRINT, s(candidate.fingerprint()),
                TaskItems.CREATED_AT, n(candidate.createdAt().toEpochMilli()),
                KEY_EXPIRES_AT_MS, n(candidate.expiresAt().toEpochMilli()),
                TaskItems.EXPIRES_AT, n(candidate.expiresAt().getEpochSecond() + 1));
        try {
            dynamoDb.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#pk) OR #expires <= :now")
                    .expressionAttributeNames(Map.of("#pk", TaskItems.PK, "#expires", KEY_EXPIRES_AT_MS))
                    .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> old = e.hasItem() && !e.item().isEmpty() ? e.item()
                    : readBinding(item.get(TaskItems.PK));
            return Optional.of(new KeyRecord(
                    old.get(TaskItems.TASK_ID).s(),
                    old.get(FINGERPRINT).s(),
                    Instant.ofEpochMilli(Long.parseLong(old.get(TaskItems.CREATED_AT).n())),
                    Instant.ofEpochMilli(Long.parseLong(old.get(KEY_EXPIRES_AT_MS).n()))));
        } catch (SdkException e) {
            throw DynamoDbTaskRepository.unavailable("bind idempotency key", e);
        }
    }

    /**
     * The winning binding, when the failed write did not carry it: a read that fails like any other call
     * (a throttle is {@code DependencyUnavailableException}), and a binding gone in between is a transient
     * failure too, since the caller's retry binds the key afresh.
     */
    private Map<String, AttributeValue> readBinding(AttributeValue pk) {
        Map<String, AttributeValue> old;
        try {
            old = dynamoDb.getItem(b -> b.tableName(table).key(Map.of(TaskItems.PK, pk)).consistentRead(true)).item();
        } catch (SdkException e) {
            throw DynamoDbTaskRepository.unavailable("read idempotency key", e);
        }
        if (old == null || !old.containsKey(TaskItems.TASK_ID)) {
            throw new DependencyUnavailableException(
                    "DynamoDB: the idempotency key's binding was gone when read after a lost write", null);
        }
        return old;
    }

    /** Keys are scoped per caller: the hash covers both, length-prefixed so no two pairs collide. */
    static String hash(String caller, String key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] callerBytes = caller.getBytes(StandardCharsets.UTF_8);
            digest.update((callerBytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            digest.update(callerBytes);
            digest.update(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
