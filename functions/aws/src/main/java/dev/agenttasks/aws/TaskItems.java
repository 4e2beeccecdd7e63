package dev.agenttasks.aws;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import dev.agenttasks.domain.task.TokenUsage;
import dev.agenttasks.domain.port.LiveTaskIndex;
import dev.agenttasks.domain.task.Callback;
import dev.agenttasks.domain.task.Progress;
import dev.agenttasks.domain.task.Routing;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TokenLedger;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.Waiting;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The DynamoDB item shape of a task (see docs/architecture.md, "Data model"). Times are epoch millis. */
final class TaskItems {

    static final String PK = "pk";
    static final String TASK_PREFIX = "task#";
    static final String KIND = "kind";
    static final String TASK_ID = "task_id";
    static final String OWNER = "owner";
    static final String INPUT = "input";
    static final String MAX_TOKENS = "max_tokens";
    static final String STATUS = "status";
    static final String CREATED_AT = "created_at";
    static final String UPDATED_AT = "updated_at";
    static final String MODEL = "model";
    static final String RESULT = "result";
    static final String ERROR_CODE = "error_code";
    static final String ERROR_MESSAGE = "error_message";
    static final String INPUT_TOKENS = "input_tokens";
    static final String OUTPUT_TOKENS = "output_tokens";
    static final String COST_USD = "cost_usd";
    static final String DURATION_MS = "duration_ms";
    static final String ATTEMPTS = "attempts";
    static final String LEASE_OWNER = "lease_owner";
    static final String LEASE_EXPIRES_AT = "lease_expires_at";
    static final String ENQUEUE_CLAIMED_AT = "enqueue_claimed_at";
    static final String ENQUEUED_AT = "enqueued_at";
    static final String RETRY_AT = "retry_at";
    static final String CANCEL_REQUESTED_AT = "cancel_requested_at";
    /** The system prompt and the history, as gzip-compressed JSON: a long conversation stays a small item. */
    static final String CONVERSATION = "conversation_gz";
    static final String TIER = "tier";
    static final String ROUTE_REASON_CODE = "route_reason_code";
    static final String ROUTE_REASON = "route_reason";
    static final String MAX_TOTAL_TOKENS = "max_total_tokens";
    static final String SPENT_INPUT_TOKENS = "spent_input_tokens";
    static final String SPENT_OUTPUT_TOKENS = "spent_output_tokens";
    static final String SPENT_COST_USD = "spent_cost_usd";
    static final String SPENT_ESTIMATED = "spent_estimated";
    static final String SPENT_ATTEMPTS = "spent_attempts";
    static final String PROMPT_TOKENS_ESTIMATED = "prompt_tokens_estimated";
    static final String MESSAGES_DROPPED = "messages_dropped";
    static final String DEGRADED = "degraded";
    static final String WAITING_REASON = "waiting_reason";
    static final String WAITING_MODEL = "waiting_model";
    static final String WAITING_UNTIL = "waiting_until";
    static final String CALLBACK_URL = "callback_url";
    /** The webhook, once owed: pending, delivered or failed (absent before the task finishes). */
    static final String CALLBACK_STATUS = "callback_status";
    static final String CALLBACK_ATTEMPTS = "callback_attempts";
    static final String CALLBACK_LAST_ERROR = "callback_last_error";
    static final String CALLBACK_NEXT_ATTEMPT_AT = "callback_next_attempt_at";
    /** DynamoDB TTL attribute: epoch seconds. */
    static final String EXPIRES_AT = "expires_at";

    /*
     * The reconciler's sparse index (docs/reliability.md, "Reconciler"): only live (pending or running)
     * tasks carry ACTIVE_SHARD and DUE_AT; every terminal write REMOVEs both. A finished task whose webhook is
     * owed gets them back until the webhook is settled. DUE_AT is when the reconciler should next look at the
     * task if nothing else has.
     */
    static final String ACTIVE_INDEX = "active-due";
    /**
     * Every task by owner, newest first: hash {@code owner}, range {@code created_at}, keys only. Neither key
     * changes after creation, so each task writes this index once (docs/api.md, "Listing tasks").
     */
    static final String OWNER_INDEX = "owner-created";
    static final String ACTIVE_SHARD = "active_shard";
    static final String DUE_AT = "due_at";
    /** Partitions of the index; only ever increase it (items keep the shard they were written with). */
    static final int ACTIVE_SHARDS = 8;

    private TaskItems() {
    }

    static Map<String, AttributeValue> key(String taskId) {
        return Map.of(PK, s(TASK_PREFIX + taskId));
    }

    static Map<String, AttributeValue> toItem(Task task) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(TASK_PREFIX + task.id()));
        item.put(KIND, s("task"));
        item.put(TASK_ID, s(task.id()));
        item.put(OWNER, s(task.owner()));
        item.put(INPUT, s(task.input()));
        if (task.maxTokens() != null) {
            item.put(MAX_TOKENS, n(task.maxTokens()));
        }
        if (task.system() != null || !task.history().isEmpty()) {
            item.put(CONVERSATION, AttributeValue.fromB(SdkBytes.fromByteArray(
                    StoredConversation.encode(task.system(), task.history()))));
        }
        if (task.routing() != null) {
            item.put(TIER, s(task.routing().tier()));
            item.put(ROUTE_REASON_CODE, s(task.routing().reasonCode()));
            item.put(ROUTE_REASON, s(task.routing().reason()));
        }
        if (task.maxTotalTokens() != null) {
            item.put(MAX_TOTAL_TOKENS, n(task.maxTotalTokens()));
        }
        if (task.callbackUrl() != null) {
            item.put(CALLBACK_URL, s(task.callbackUrl()));
        }
        item.put(STATUS, s(task.status().value()));
        item.put(CREATED_AT, n(task.createdAt().toEpochMilli()));
        item.put(UPDATED_AT, n(task.updatedAt().toEpochMilli()));
        item.put(ATTEMPTS, n(task.attempts()));
        // The creator holds the right to send the first message.
        item.put(ENQUEUE_CLAIMED_AT, n(task.createdAt().toEpochMilli()));
        if (task.expiresAt() != null) {
            item.put(EXPIRES_AT, n(task.expiresAt().getEpochSecond()));
        }
        if (!task.status().isTerminal()) {
            item.put(ACTIVE_SHARD, s(shardOf(task.id())));
            // Due like any task whose message was sent; a submission whose send failed makes it due at once.
            item.put(DUE_AT, n(task.createdAt().plus(LiveTaskIndex.REQUEUE_AFTER).toEpochMilli()));
        }
        return item;
    }

    static Task fromItem(Map<String, AttributeValue> item) {
        Task.Builder task = new Task.Builder(string(item, TASK_ID), string(item, OWNER), string(item, INPUT),
                instant(item, CREATED_AT))
                .maxTokens(item.containsKey(MAX_TOKENS) ? (int) longOf(item, MAX_TOKENS) : null)
                .status(TaskStatus.fromValue(string(item, STATUS)))
                .updatedAt(instant(item, UPDATED_AT))
                .model(string(item, MODEL))
                .result(string(item, RESULT))
                .costUsd(item.containsKey(COST_USD) ? new BigDecimal(item.get(COST_USD).n()) : null)
                .durationMs(item.containsKey(DURATION_MS) ? longOf(item, DURATION_MS) : null)
                .attempts(item.containsKey(ATTEMPTS) ? (int) longOf(item, ATTEMPTS) : 0)
                .lease(string(item, LEASE_OWNER), instant(item, LEASE_EXPIRES_AT))
                .enqueuedAt(instant(item, ENQUEUED_AT))
                .expiresAt(item.containsKey(EXPIRES_AT) ? Instant.ofEpochSecond(longOf(item, EXPIRES_AT)) : null)
                .retryAt(instant(item, RETRY_AT))
                .cancelRequestedAt(instant(item, CANCEL_REQUESTED_AT));
        if (item.containsKey(INPUT_TOKENS)) {
            task.usage(new TokenUsage(longOf(item, INPUT_TOKENS), longOf(item, OUTPUT_TOKENS)));
        }
        if (item.containsKey(CONVERSATION)) {
            StoredConversation conversation = StoredConversation.decode(item.get(CONVERSATION).b().asByteArray());
            task.system(conversation.system()).history(conversation.history());
        }
        if (item.containsKey(TIER)) {
            task.routing(new Routing(string(item, TIER), string(item, ROUTE_REASON_CODE), string(item, ROUTE_REASON)));
        }
        if (item.containsKey(MAX_TOTAL_TOKENS)) {
            task.maxTotalTokens(longOf(item, MAX_TOTAL_TOKENS));
        }
        if (item.containsKey(SPENT_ATTEMPTS)) {
            task.progress(new Progress(new TokenLedger(longOf(item, SPENT_INPUT_TOKENS), longOf(item, SPENT_OUTPUT_TOKENS),
                    new BigDecimal(item.get(SPENT_COST_USD).n()), Boolean.TRUE.equals(item.get(SPENT_ESTIMATED).bool()),
                    (int) longOf(item, SPENT_ATTEMPTS)), (int) longOf(item, PROMPT_TOKENS_ESTIMATED),
                    (int) longOf(item, MESSAGES_DROPPED), Boolean.TRUE.equals(item.get(DEGRADED).bool())));
        }
        if (item.containsKey(WAITING_REASON)) {
            task.waiting(new Waiting(Waiting.Reason.fromValue(string(item, WAITING_REASON)), string(item, WAITING_MODEL),
                    instant(item, WAITING_UNTIL)));
        }
        if (item.containsKey(CALLBACK_URL)) {
            task.callbackUrl(string(item, CALLBACK_URL));
        }
        if (item.containsKey(CALLBACK_STATUS)) {
            task.callback(new Callback(Callback.Status.fromValue(string(item, CALLBACK_STATUS)),
                    (int) longOf(item, CALLBACK_ATTEMPTS), string(item, CALLBACK_LAST_ERROR),
                    instant(item, CALLBACK_NEXT_ATTEMPT_AT)));
        }
        if (item.containsKey(ERROR_CODE)) {
            task.error(new TaskError(string(item, ERROR_CODE), string(item, ERROR_MESSAGE)));
        }
        return task.build();
    }

    /** The attributes that store {@code progress}. */
    static Map<String, AttributeValue> progressAttributes(Progress progress) {
        Map<String, AttributeValue> attributes = new HashMap<>();
        attributes.put(SPENT_INPUT_TOKENS, n(progress.spent().inputTokens()));
        attributes.put(SPENT_OUTPUT_TOKENS, n(progress.spent().outputTokens()));
        attributes.put(SPENT_COST_USD, n(progress.spent().costUsd()));
        attributes.put(SPENT_ESTIMATED, AttributeValue.fromBool(progress.spent().estimated()));
        attributes.put(SPENT_ATTEMPTS, n(progress.spent().attempts()));
        attributes.put(PROMPT_TOKENS_ESTIMATED, n(progress.inputTokensEstimated()));
        attributes.put(MESSAGES_DROPPED, n(progress.messagesDropped()));
        attributes.put(DEGRADED, AttributeValue.fromBool(progress.degraded()));
        return attributes;
    }

    /** The index shard of a task: fixed by its id, so every write of the task agrees on it. */
    static String shardOf(String taskId) {
        return Integer.toString(Math.floorMod(taskId.hashCode(), ACTIVE_SHARDS));
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static AttributeValue n(BigDecimal value) {
        return AttributeValue.fromN(value.toPlainString());
    }

    static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    static long longOf(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }
}
