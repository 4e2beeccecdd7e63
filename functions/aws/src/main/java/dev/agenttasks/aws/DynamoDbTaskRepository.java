package dev.agenttasks.aws;

import static dev.agenttasks.aws.TaskItems.*;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.agenttasks.domain.port.CallbackAttempt;
import dev.agenttasks.domain.port.CancelRequest;
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.domain.port.LiveTaskIndex;
import dev.agenttasks.domain.port.TaskPage;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Callback;
import dev.agenttasks.domain.task.Progress;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.Waiting;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/** {@link TaskRepository} on a DynamoDB table keyed by {@code pk = "task#" + id}. */
public final class DynamoDbTaskRepository implements TaskRepository, LiveTaskIndex {

    /** A status-filtered page reads at most this many index entries before it answers (with a next position). */
    static final int MAX_LISTED_PER_PAGE = 500;

    /**
     * The condition of every write a worker makes under its lease: still running, still its lease, and no cancel
     * requested (after one, the worker's next write fails and it cancels the task instead).
     */
    private static final String FENCED = "#status = :running AND #owner = :owner AND attribute_not_exists(#cancel)";

    private static final Map<String, String> INDEX_NAMES = Map.of("#shard", ACTIVE_SHARD, "#due", DUE_AT);

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
    public Optional<BoundTask> createBound(Task task, IdempotencyStore.KeyRecord binding, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(toItem(task));
        item.put(DynamoDbIdempotencyStore.FINGERPRINT, s(binding.fingerprint()));
        item.put(DynamoDbIdempotencyStore.KEY_EXPIRES_AT_MS, n(binding.expiresAt().toEpochMilli()));
        try {
            dynamoDb.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#pk)"
                            + " OR (#expires <= :now AND (attribute_not_exists(#keyExpires) OR #keyExpires <= :nowMs))")
                    .expressionAttributeNames(Map.of("#pk", PK, "#expires", EXPIRES_AT,
                            "#keyExpires", DynamoDbIdempotencyStore.KEY_EXPIRES_AT_MS))
                    .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond()), ":nowMs", n(now.toEpochMilli())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> old = e.hasItem() && !e.item().isEmpty() ? e.item()
                    : findItem(task.id()).orElseThrow(() -> new DependencyUnavailableException(
                            "DynamoDB: the keyed task was gone when read after a lost write", null));
            return Optional.of(new BoundTask(fromItem(old), bindingOf(old)));
        } catch (SdkException e) {
            throw unavailable("store keyed task", e);
        }
    }

    /** The idempotency key binding stored on a task's item, if it was created under a key. */
    private static Optional<IdempotencyStore.KeyRecord> bindingOf(Map<String, AttributeValue> item) {
        if (!item.containsKey(DynamoDbIdempotencyStore.FINGERPRINT) || !item.containsKey(DynamoDbIdempotencyStore.KEY_EXPIRES_AT_MS)) {
            return Optional.empty();
        }
        return Optional.of(new IdempotencyStore.KeyRecord(item.get(TASK_ID).s(),
                item.get(DynamoDbIdempotencyStore.FINGERPRINT).s(),
                Instant.ofEpochMilli(longOf(item, CREATED_AT)),
                Instant.ofEpochMilli(longOf(item, DynamoDbIdempotencyStore.KEY_EXPIRES_AT_MS))));
    }

    @Override
    public boolean retainUntil(String taskId, Instant createdAt, Instant until) {
        return conditionalUpdate(taskId, "SET #expires = :until", "#created = :created AND #expires < :until",
                Map.of("#expires", EXPIRES_AT, "#created", CREATED_AT),
                Map.of(":until", n(until.getEpochSecond()), ":created", n(createdAt.toEpochMilli())),
                "retain task").isPresent();
    }

    @Override
    public Optional<Task> find(String taskId) {
        return findItem(taskId).map(TaskItems::fromItem);
    }

    @Override
    public TaskPage listOwned(String owner, Optional<TaskStatus> status, int limit, Optional<TaskPage.Position> after) {
        if (limit <= 0) {
            return new TaskPage(List.of(), Optional.empty());
        }
        List<Task> page = new ArrayList<>();
        Map<String, AttributeValue> start = after.map(position -> Map.of(
                PK, s(TASK_PREFIX + position.taskId()),
                OWNER, s(owner),
                CREATED_AT, n(position.createdAt().toEpochMilli()))).orElse(null);
        Map<String, AttributeValue> lastConsumed = null;
        int scanned = 0;
        try {
            while (true) {
                int wanted = status.isEmpty() ? limit - page.size() : Math.min(100, (limit - page.size()) * 4);
                QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(OWNER_INDEX)
                        .keyConditionExpression("#owner = :owner")
                        .expressionAttributeNames(Map.of("#owner", OWNER))
                        .expressionAttributeValues(Map.of(":owner", s(owner)))
                        .scanIndexForward(false)
                        .limit(wanted);
                if (start != null) {
                    query.exclusiveStartKey(start);
                }
                QueryResponse response = dynamoDb.query(query.build());
                List<Map<String, AttributeValue>> entries = response.items();
                Map<String, Task> tasks = readAll(entries);
                int consumed = 0;
                while (consumed < entries.size() && page.size() < limit) {
                    lastConsumed = entries.get(consumed++);
                    scanned++;
                    Task task = tasks.get(lastConsumed.get(PK).s());
                    if (task != null && (status.isEmpty() || task.status() == status.get())) {
                        page.add(task);
                    }
                }
                boolean moreAfter = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty();
                if (consumed == entries.size() && !moreAfter) {
                    return new TaskPage(page, Optional.empty());
                }
                if (page.size() == limit || scanned >= MAX_LISTED_PER_PAGE) {
                    break;
                }
                start = response.lastEvaluatedKey();
            }
        } catch (SdkException e) {
            throw unavailable("list tasks", e);
        }
        Map<String, AttributeValue> next = lastConsumed;
        return new TaskPage(page, Optional.of(new TaskPage.Position(
                Instant.ofEpochMilli(Long.parseLong(next.get(CREATED_AT).n())), next.get(PK).s().substring(TASK_PREFIX.length()))));
    }

    /** The tasks an index page names, read in one BatchGetItem (and its unprocessed keys), by key. */
    private Map<String, Task> readAll(List<Map<String, AttributeValue>> entries) {
        Map<String, Task> found = new HashMap<>();
        if (entries.isEmpty()) {
            return found;
        }
        List<Map<String, AttributeValue>> keys = entries.stream().map(entry -> Map.of(PK, entry.get(PK))).toList();
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
        while (!request.isEmpty()) {
            Map<String, KeysAndAttributes> ask = request;
            BatchGetItemResponse response = dynamoDb.batchGetItem(b -> b.requestItems(ask));
            response.responses().getOrDefault(table, List.of())
                    .forEach(item -> found.put(item.get(PK).s(), fromItem(item)));
            request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
        }
        return found;
    }

    private Optional<Map<String, AttributeValue>> findItem(String taskId) {
        try {
            Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(key(taskId))
                    .consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
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
    public Claim claim(String taskId, String leaseOwner, Instant now, Duration lease) {
        UpdateItemRequest request = UpdateItemRequest.builder()
                .tableName(table)
                .key(key(taskId))
                .updateExpression("SET #status = :running, #owner = :owner, #expires = :expires, #updated = :now,"
                        + " #attempts = if_not_exists(#attempts, :zero) + :one, #shard = :shard, #due = :expires,"
                        + " #enqueued = if_not_exists(#enqueued, :now)"
                        + " REMOVE #retryAt, #waitReason, #waitModel, #waitUntil")
                .conditionExpression("attribute_exists(#pk) AND ((#status = :pending"
                        + " AND (attribute_not_exists(#retryAt) OR #retryAt <= :now))"
                        + " OR (#status = :running AND #expires < :now))")
                .expressionAttributeNames(names("#status", STATUS, "#owner", LEASE_OWNER, "#expires", LEASE_EXPIRES_AT,
                        "#updated", UPDATED_AT, "#attempts", ATTEMPTS, "#retryAt", RETRY_AT, "#pk", PK,
                        "#shard", ACTIVE_SHARD, "#due", DUE_AT, "#waitReason", WAITING_REASON, "#waitModel", WAITING_MODEL,
                        "#waitUntil", WAITING_UNTIL, "#enqueued", ENQUEUED_AT))
                .expressionAttributeValues(Map.of(
                        ":running", s(TaskStatus.RUNNING.value()),
                        ":pending", s(TaskStatus.PENDING.value()),
                        ":owner", s(leaseOwner),
                        ":expires", n(now.plus(lease).toEpochMilli()),
                        ":now", n(now.toEpochMilli()),
                        ":zero", n(0),
                        ":one", n(1),
                        ":shard", s(shardOf(taskId))))
                .returnValues(ReturnValue.ALL_NEW)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        try {
            UpdateItemResponse response = dynamoDb.updateItem(request);
            return new Claim.Claimed(fromItem(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            Optional<Map<String, AttributeValue>> current = e.hasItem() && !e.item().isEmpty()
                    ? Optional.of(e.item()) : findItem(taskId);
            if (current.isEmpty()) {
                return new Claim.NotFound();
            }
            Task task = fromItem(current.get());
            AttributeValue retryAt = current.get().get(RETRY_AT);
            if (task.status() == TaskStatus.PENDING && retryAt != null && retryAt.n() != null) {
                return new Claim.NotDue(task, Instant.ofEpochMilli(Long.parseLong(retryAt.n())));
            }
            return new Claim.Refused(task);
        } catch (SdkException e) {
            throw unavailable("claim task", e);
        }
    }

    @Override
    public boolean recordAttempt(String taskId, String leaseOwner, Instant now, Duration lease, Progress progress) {
        Map<String, String> names = names("#attempts", ATTEMPTS, "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT,
                "#status", STATUS, "#owner", LEASE_OWNER, "#due", DUE_AT);
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":one", n(1), ":expires", n(now.plus(lease).toEpochMilli()),
                ":now", n(now.toEpochMilli()), ":running", s(TaskStatus.RUNNING.value()), ":owner", s(leaseOwner)));
        String set = "SET #attempts = #attempts + :one, #expires = :expires, #updated = :now, #due = :expires"
                + progressUpdate(progress, names, values);
        return conditionalUpdate(taskId, set, FENCED, names, values, "record attempt").isPresent();
    }

    @Override
    public boolean renewLease(String taskId, String leaseOwner, Instant now, Duration lease) {
        return conditionalUpdate(taskId,
                "SET #expires = :expires, #updated = :now, #due = :expires",
                FENCED,
                Map.of("#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT, "#status", STATUS, "#owner", LEASE_OWNER,
                        "#due", DUE_AT),
                Map.of(":expires", n(now.plus(lease).toEpochMilli()), ":now", n(now.toEpochMilli()),
                        ":running", s(TaskStatus.RUNNING.value()), ":owner", s(leaseOwner)),
                "renew lease").isPresent();
    }

    @Override
    public boolean complete(String taskId, String leaseOwner, TaskOutcome outcome, Instant now) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#owner", LEASE_OWNER,
                "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT, "#model", MODEL, "#result", RESULT,
                "#in", INPUT_TOKENS, "#out", OUTPUT_TOKENS, "#duration", DURATION_MS));
        names.putAll(INDEX_NAMES);
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
        set += progressUpdate(outcome.progress(), names, values);
        return conditionalUpdate(taskId, set + " REMOVE #owner, #expires, #shard, #due",
                FENCED, names, values, "complete task").isPresent();
    }

    @Override
    public boolean fail(String taskId, String leaseOwner, TaskError error, Long durationMs, Progress progress,
                        Instant now) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#owner", LEASE_OWNER,
                "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT, "#code", ERROR_CODE, "#message", ERROR_MESSAGE));
        names.putAll(INDEX_NAMES);
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
        set += progressUpdate(progress, names, values);
        if (progress != null && progress.spent().attempts() > 0) {
            names.put("#cost", COST_USD);
            values.put(":cost", n(progress.spent().costUsd()));
            set += ", #cost = :cost";
        }
        return conditionalUpdate(taskId, set + " REMOVE #owner, #expires, #shard, #due",
                FENCED, names, values, "fail task").isPresent();
    }

    @Override
    public boolean release(String taskId, String leaseOwner, Instant now, Instant retryAt, boolean refundAttempt,
                           Waiting waiting, Progress progress) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#owner", LEASE_OWNER,
                "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT, "#retryAt", RETRY_AT, "#shard", ACTIVE_SHARD,
                "#due", DUE_AT, "#waitReason", WAITING_REASON, "#waitModel", WAITING_MODEL, "#waitUntil", WAITING_UNTIL));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pending", s(TaskStatus.PENDING.value()),
                ":running", s(TaskStatus.RUNNING.value()), ":owner", s(leaseOwner), ":now", n(now.toEpochMilli()),
                ":retryAt", n(retryAt.toEpochMilli()), ":shard", s(shardOf(taskId)),
                ":due", n(retryAt.plus(LiveTaskIndex.REQUEUE_AFTER).toEpochMilli())));
        StringBuilder set = new StringBuilder("SET #status = :pending, #updated = :now, #retryAt = :retryAt,"
                + " #shard = :shard, #due = :due");
        String remove = " REMOVE #owner, #expires";
        if (refundAttempt) {
            names.put("#attempts", ATTEMPTS);
            values.put(":one", n(1));
            set.append(", #attempts = #attempts - :one");
        }
        if (waiting != null) {
            values.put(":waitReason", s(waiting.reason().value()));
            values.put(":waitModel", s(waiting.model()));
            values.put(":waitUntil", n(waiting.until().toEpochMilli()));
            set.append(", #waitReason = :waitReason, #waitModel = :waitModel, #waitUntil = :waitUntil");
        } else {
            remove += ", #waitReason, #waitModel, #waitUntil";
        }
        set.append(progressUpdate(progress, names, values));
        return conditionalUpdate(taskId, set + remove, FENCED, names, values, "release task").isPresent();
    }

    @Override
    public CancelRequest requestCancel(String taskId, String owner, Instant now) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#owner", OWNER, "#updated", UPDATED_AT,
                "#cancel", CANCEL_REQUESTED_AT, "#retryAt", RETRY_AT));
        names.putAll(INDEX_NAMES);
        Map<String, AttributeValue> values = Map.of(":cancelled", s(TaskStatus.CANCELLED.value()),
                ":pending", s(TaskStatus.PENDING.value()), ":caller", s(owner), ":now", n(now.toEpochMilli()));
        try {
            UpdateItemResponse response = dynamoDb.updateItem(b -> b.tableName(table).key(key(taskId))
                    .updateExpression("SET #status = :cancelled, #updated = :now, #cancel = :now REMOVE #retryAt, #shard, #due")
                    .conditionExpression("#owner = :caller AND #status = :pending")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new CancelRequest.Cancelled(fromItem(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            Optional<Map<String, AttributeValue>> current = e.hasItem() && !e.item().isEmpty()
                    ? Optional.of(e.item()) : findItem(taskId);
            if (current.isEmpty() || !owner.equals(string(current.get(), OWNER))) {
                return new CancelRequest.NotFound();
            }
            Task task = fromItem(current.get());
            if (task.status().isTerminal()) {
                return new CancelRequest.AlreadyFinished(task);
            }
            return markCancelRequested(taskId, owner, now);
        } catch (SdkException e) {
            throw unavailable("cancel task", e);
        }
    }

    /** running: asks its worker to stop (the first request's time is kept). */
    private CancelRequest markCancelRequested(String taskId, String owner, Instant now) {
        try {
            UpdateItemResponse response = dynamoDb.updateItem(b -> b.tableName(table).key(key(taskId))
                    .updateExpression("SET #cancel = if_not_exists(#cancel, :now)")
                    .conditionExpression("#owner = :caller AND #status = :running")
                    .expressionAttributeNames(Map.of("#cancel", CANCEL_REQUESTED_AT, "#owner", OWNER, "#status", STATUS))
                    .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli()), ":caller", s(owner),
                            ":running", s(TaskStatus.RUNNING.value())))
                    .returnValues(ReturnValue.ALL_NEW));
            return new CancelRequest.Requested(fromItem(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            // It moved on between the two writes: pending again (released), or finished. Ask again.
            return requestCancel(taskId, owner, now);
        } catch (SdkException e) {
            throw unavailable("cancel task", e);
        }
    }

    @Override
    public boolean cancelIfRequested(String taskId, String leaseOwner, Instant now) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#owner", LEASE_OWNER,
                "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT, "#cancel", CANCEL_REQUESTED_AT));
        names.putAll(INDEX_NAMES);
        return conditionalUpdate(taskId, "SET #status = :cancelled, #updated = :now REMOVE #owner, #expires, #shard, #due",
                "#status = :running AND #owner = :owner AND attribute_exists(#cancel)", names,
                Map.of(":cancelled", s(TaskStatus.CANCELLED.value()), ":running", s(TaskStatus.RUNNING.value()),
                        ":owner", s(leaseOwner), ":now", n(now.toEpochMilli())),
                "cancel task").isPresent();
    }

    @Override
    public List<DueTask> findDue(Instant now, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        // Each shard's earliest `limit` entries, merged: the run takes the earliest due overall. Reading up to
        // ACTIVE_SHARDS x limit small index entries costs little (docs/reliability.md, "Cost").
        List<DueTask> due = new ArrayList<>();
        for (int shard = 0; shard < ACTIVE_SHARDS; shard++) {
            due.addAll(findDueInShard(Integer.toString(shard), now, limit));
        }
        due.sort(Comparator.comparing(DueTask::dueAt));
        return due.size() <= limit ? due : List.copyOf(due.subList(0, limit));
    }

    private List<DueTask> findDueInShard(String shard, Instant now, int budget) {
        List<DueTask> found = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        try {
            do {
                QueryRequest.Builder request = QueryRequest.builder()
                        .tableName(table)
                        .indexName(ACTIVE_INDEX)
                        .keyConditionExpression("#shard = :shard AND #due <= :now")
                        .expressionAttributeNames(Map.of("#shard", ACTIVE_SHARD, "#due", DUE_AT))
                        .expressionAttributeValues(Map.of(":shard", s(shard), ":now", n(now.toEpochMilli())))
                        .limit(budget - found.size());
                if (startKey != null) {
                    request.exclusiveStartKey(startKey);
                }
                QueryResponse page = dynamoDb.query(request.build());
                for (Map<String, AttributeValue> item : page.items()) {
                    dueTask(item).ifPresent(found::add);
                }
                startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (startKey != null && found.size() < budget);
        } catch (SdkException e) {
            throw unavailable("query due tasks", e);
        }
        return found;
    }

    private static Optional<DueTask> dueTask(Map<String, AttributeValue> item) {
        AttributeValue id = item.get(TASK_ID);
        AttributeValue status = item.get(STATUS);
        if (id == null || status == null || !item.containsKey(CREATED_AT) || !item.containsKey(DUE_AT)) {
            return Optional.empty();
        }
        return Optional.of(new DueTask(id.s(), TaskStatus.fromValue(status.s()), millis(item, CREATED_AT),
                millis(item, DUE_AT), millis(item, LEASE_EXPIRES_AT), millis(item, ENQUEUED_AT)));
    }

    private static Instant millis(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }

    @Override
    public boolean claimRedrive(String taskId, Instant seenDueAt, Instant now, Instant nextDueAt) {
        return conditionalUpdate(taskId,
                "SET #due = :retry, #claimed = :now",
                "#due = :seen AND (#status = :pending OR (#status = :running AND #expires < :now))",
                Map.of("#due", DUE_AT, "#claimed", ENQUEUE_CLAIMED_AT, "#status", STATUS, "#expires", LEASE_EXPIRES_AT),
                Map.of(":retry", n(nextDueAt.toEpochMilli()), ":now", n(now.toEpochMilli()),
                        ":seen", n(seenDueAt.toEpochMilli()), ":pending", s(TaskStatus.PENDING.value()),
                        ":running", s(TaskStatus.RUNNING.value())),
                "claim redrive").isPresent();
    }

    @Override
    public void markRedriven(String taskId, Instant claimedDueAt, Instant now) {
        // Only the record, never due_at: the worker that takes the message may be claiming right now.
        conditionalUpdate(taskId, "SET #enqueued = :now", "#due = :claimed",
                Map.of("#due", DUE_AT, "#enqueued", ENQUEUED_AT),
                Map.of(":now", n(now.toEpochMilli()), ":claimed", n(claimedDueAt.toEpochMilli())),
                "mark redriven");
    }

    @Override
    public boolean reschedule(String taskId, Instant seenDueAt, Instant dueAt) {
        return conditionalUpdate(taskId, "SET #due = :next", "#due = :seen",
                Map.of("#due", DUE_AT),
                Map.of(":next", n(dueAt.toEpochMilli()), ":seen", n(seenDueAt.toEpochMilli())),
                "reschedule task").isPresent();
    }

    @Override
    public void markSendFailed(String taskId, Instant now) {
        // No message exists, so no worker can be claiming: the reconciler's next run sends one.
        conditionalUpdate(taskId, "SET #due = :now", "#status = :pending AND attribute_not_exists(#enqueued)",
                Map.of("#due", DUE_AT, "#status", STATUS, "#enqueued", ENQUEUED_AT),
                Map.of(":now", n(now.toEpochMilli()), ":pending", s(TaskStatus.PENDING.value())),
                "mark send failed");
    }

    @Override
    public UnleasedFailure failUnleased(String taskId, TaskError error, Instant now) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#owner", LEASE_OWNER,
                "#expires", LEASE_EXPIRES_AT, "#updated", UPDATED_AT, "#code", ERROR_CODE, "#message", ERROR_MESSAGE));
        names.putAll(INDEX_NAMES);
        try {
            dynamoDb.updateItem(b -> b.tableName(table)
                    .key(key(taskId))
                    .updateExpression("SET #status = :failed, #updated = :now, #code = :code, #message = :message"
                            + " REMOVE #owner, #expires, #shard, #due")
                    .conditionExpression("#status = :pending OR (#status = :running AND #expires < :now)")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(Map.of(
                            ":failed", s(TaskStatus.FAILED.value()),
                            ":pending", s(TaskStatus.PENDING.value()),
                            ":running", s(TaskStatus.RUNNING.value()),
                            ":now", n(now.toEpochMilli()),
                            ":code", s(error.code()),
                            ":message", s(error.message())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return UnleasedFailure.FAILED;
        } catch (ConditionalCheckFailedException e) {
            if (!e.hasItem() || e.item().isEmpty()) {
                return UnleasedFailure.NOT_FOUND;
            }
            return TaskStatus.fromValue(e.item().get(STATUS).s()).isTerminal()
                    ? UnleasedFailure.ALREADY_TERMINAL : UnleasedFailure.LEASED;
        } catch (SdkException e) {
            throw unavailable("fail unleased task", e);
        }
    }

    private static final Map<String, String> CALLBACK_NAMES = Map.of("#cbstatus", CALLBACK_STATUS,
            "#cbattempts", CALLBACK_ATTEMPTS, "#cberror", CALLBACK_LAST_ERROR, "#cbnext", CALLBACK_NEXT_ATTEMPT_AT,
            "#shard", ACTIVE_SHARD, "#due", DUE_AT);

    @Override
    public boolean markCallbackOwed(String taskId, Instant dueAt) {
        Map<String, String> names = new HashMap<>(CALLBACK_NAMES);
        names.put("#url", CALLBACK_URL);
        names.put("#status", STATUS);
        return conditionalUpdate(taskId,
                "SET #cbstatus = :pending, #cbattempts = :zero, #shard = :shard, #due = :due",
                "attribute_exists(#url) AND attribute_not_exists(#cbstatus) AND #status IN (:complete, :failed, :cancelled)",
                names,
                Map.of(":pending", s(Callback.Status.PENDING.value()), ":zero", n(0), ":shard", s(shardOf(taskId)),
                        ":due", n(dueAt.toEpochMilli()), ":complete", s(TaskStatus.COMPLETE.value()),
                        ":failed", s(TaskStatus.FAILED.value()), ":cancelled", s(TaskStatus.CANCELLED.value())),
                "mark webhook owed").isPresent();
    }

    @Override
    public boolean recordCallbackAttempt(String taskId, CallbackAttempt attempt, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":pending", s(Callback.Status.PENDING.value()));
        values.put(":one", n(1));
        String update;
        if (attempt instanceof CallbackAttempt.Delivered) {
            values.put(":delivered", s(Callback.Status.DELIVERED.value()));
            update = "SET #cbstatus = :delivered ADD #cbattempts :one REMOVE #shard, #due, #cbnext";
        } else if (attempt instanceof CallbackAttempt.Retrying retrying) {
            values.put(":error", s(retrying.error()));
            values.put(":next", n(retrying.nextAttemptAt().toEpochMilli()));
            values.put(":due", n(retrying.dueAt().toEpochMilli()));
            update = "SET #cberror = :error, #cbnext = :next, #due = :due ADD #cbattempts :one";
        } else {
            CallbackAttempt.GaveUp gaveUp = (CallbackAttempt.GaveUp) attempt;
            values.put(":failed", s(Callback.Status.FAILED.value()));
            values.put(":error", s(gaveUp.error()));
            if (!gaveUp.called()) {
                values.remove(":one");
            }
            update = "SET #cbstatus = :failed, #cberror = :error REMOVE #shard, #due, #cbnext"
                    + (gaveUp.called() ? " ADD #cbattempts :one" : "");
        }
        return conditionalUpdate(taskId, update, "#cbstatus = :pending", CALLBACK_NAMES, values,
                "record webhook attempt").isPresent();
    }

    @Override
    public boolean claimCallbackRedrive(String taskId, Instant seenDueAt, Instant nextDueAt) {
        return conditionalUpdate(taskId, "SET #due = :next", "#cbstatus = :pending AND #due = :seen",
                Map.of("#cbstatus", CALLBACK_STATUS, "#due", DUE_AT),
                Map.of(":pending", s(Callback.Status.PENDING.value()), ":next", n(nextDueAt.toEpochMilli()),
                        ":seen", n(seenDueAt.toEpochMilli())),
                "claim webhook redrive").isPresent();
    }

    /** {@code ", #a = :a, ..."} storing {@code progress} (nothing when null), its names and values added. */
    private static String progressUpdate(Progress progress, Map<String, String> names, Map<String, AttributeValue> values) {
        if (progress == null) {
            return "";
        }
        Map<String, AttributeValue> set = TaskItems.progressAttributes(progress);
        StringBuilder update = new StringBuilder();
        set.forEach((attribute, value) -> {
            names.put("#p_" + attribute, attribute);
            values.put(":p_" + attribute, value);
            update.append(", #p_").append(attribute).append(" = :p_").append(attribute);
        });
        return update.toString();
    }

    /** Expression attribute names from (placeholder, name) pairs, for more than {@code Map.of} takes. */
    private static Map<String, String> names(String... pairs) {
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            names.put(pairs[i], pairs[i + 1]);
        }
        return names;
    }

    /** Applies an update if its condition holds; empty when it did not. */
    private Optional<Map<String, AttributeValue>> conditionalUpdate(String taskId, String update, String condition,
                                                                    Map<String, String> names,
                                                                    Map<String, AttributeValue> values,
                                                                    String action) {
        Map<String, String> allNames = new HashMap<>(names);
        if (condition.contains("#cancel")) {
            allNames.put("#cancel", CANCEL_REQUESTED_AT);
        }
        // DynamoDB refuses a name or value the expressions do not use.
        String expressions = update + " " + condition;
        allNames.keySet().removeIf(name -> !usedIn(expressions, name));
        Map<String, AttributeValue> usedValues = new HashMap<>(values);
        usedValues.keySet().removeIf(value -> !usedIn(expressions, value));
        try {
            UpdateItemResponse response = dynamoDb.updateItem(b -> b.tableName(table)
                    .key(key(taskId))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(allNames)
                    .expressionAttributeValues(usedValues)
                    .returnValues(ReturnValue.UPDATED_NEW));
            return Optional.of(response.attributes());
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw unavailable(action, e);
        }
    }

    private static boolean usedIn(String expressions, String placeholder) {
        int at = expressions.indexOf(placeholder);
        while (at >= 0) {
            int end = at + placeholder.length();
            if (end == expressions.length() || !(Character.isLetterOrDigit(expressions.charAt(end))
                    || expressions.charAt(end) == '_')) {
                return true;
            }
            at = expressions.indexOf(placeholder, end);
        }
        return false;
    }

    /**
     * A DynamoDB failure: throttling, a 5xx or a network error is a dependency briefly unavailable (503
     * to a caller, retried); anything else (validation, access denied) is a bug or misconfiguration.
     */
    static RuntimeException unavailable(String action, SdkException e) {
        return AwsErrors.isTransient(e)
                ? new DependencyUnavailableException("DynamoDB: could not " + action, e)
                : new IllegalStateException("DynamoDB: could not " + action + ": " + e.getMessage(), e);
    }
}
