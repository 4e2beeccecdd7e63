package dev.agenttasks.aws;

import static dev.agenttasks.aws.TaskItems.n;
import static dev.agenttasks.aws.TaskItems.s;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.agenttasks.domain.port.BreakerKey;
import dev.agenttasks.domain.port.BreakerRecord;
import dev.agenttasks.domain.port.CircuitBreakerStore;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Circuit breakers in BreakerTable, one item per provider and model, {@code pk = "breaker#<provider>#<model>"}.
 * Every change is one conditional UpdateItem returning the item after it ({@code ALL_NEW}) or, when refused,
 * as it stands ({@code ALL_OLD} on the failed condition), so no change needs a second read.
 *
 * <table>
 *   <caption>Attributes (times in epoch milliseconds, but {@code expires_at})</caption>
 *   <tr><td>{@code provider}, {@code model}</td><td>S</td><td>the breaker's key, for listings</td></tr>
 *   <tr><td>{@code state}</td><td>S</td><td>{@code closed} or {@code open}; an absent item is closed</td></tr>
 *   <tr><td>{@code fail_<slot start>}</td><td>N</td><td>transient failures in that slot, added with {@code ADD}</td></tr>
 *   <tr><td>{@code counted_after}</td><td>N</td><td>slots starting at or before it no longer count</td></tr>
 *   <tr><td>{@code opened_at}, {@code open_until}, {@code failed_probes}</td><td>N</td><td>while open</td></tr>
 *   <tr><td>{@code probe_owner}, {@code probe_expires_at}</td><td>S, N</td><td>while a worker probes</td></tr>
 *   <tr><td>{@code rate_limited_until}</td><td>N</td><td>the fleet-wide rate-limit hold</td></tr>
 *   <tr><td>{@code updated_at}</td><td>N</td><td>the last write</td></tr>
 *   <tr><td>{@code expires_at}</td><td>N (epoch s)</td><td>TTL: a day after the last time the item matters</td></tr>
 * </table>
 *
 * Reads are eventually consistent (half the cost; the breaker caches them for a second anyway); the
 * conditions, not the reads, decide every transition. Any SDK error becomes a
 * {@link DependencyUnavailableException}, on which the breaker fails open.
 */
public final class DynamoDbCircuitBreakerStore implements CircuitBreakerStore {

    static final String PK = "pk";
    static final String KEY_PREFIX = "breaker#";
    static final String PROVIDER = "provider";
    static final String MODEL = "model";
    static final String STATE = "state";
    static final String OPEN = "open";
    static final String CLOSED = "closed";
    static final String FAILURE_SLOT_PREFIX = "fail_";
    static final String COUNTED_AFTER = "counted_after";
    static final String OPENED_AT = "opened_at";
    static final String OPEN_UNTIL = "open_until";
    static final String FAILED_PROBES = "failed_probes";
    static final String PROBE_OWNER = "probe_owner";
    static final String PROBE_EXPIRES_AT = "probe_expires_at";
    static final String RATE_LIMITED_UNTIL = "rate_limited_until";
    static final String UPDATED_AT = "updated_at";
    static final String EXPIRES_AT = "expires_at";
    /** An item nobody writes is deleted by TTL this long after the last time it mattered (reads as closed). */
    static final Duration RETENTION = Duration.ofDays(1);

    private static final String IS_CLOSED = "(attribute_not_exists(#state) OR #state = :closed)";
    private static final String HOLDS_PROBE = "#state = :open AND #probe_owner = :owner";
    private static final String[] CONDITION_ATTRIBUTES =
            {STATE, COUNTED_AFTER, OPEN_UNTIL, PROBE_OWNER, PROBE_EXPIRES_AT, RATE_LIMITED_UNTIL};

    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbCircuitBreakerStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    static String pk(BreakerKey key) {
        return KEY_PREFIX + key.provider() + "#" + key.model();
    }

    @Override
    public Optional<BreakerRecord> find(BreakerKey key) {
        try {
            Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table)
                    .key(Map.of(PK, s(pk(key))))).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(record(key, item));
        } catch (SdkException e) {
            throw unavailable("read breaker " + key, e);
        }
    }

    @Override
    public List<BreakerRecord> findAll() {
        try {
            List<BreakerRecord> records = new ArrayList<>();
            dynamoDb.scanPaginator(b -> b.tableName(table)).items()
                    .forEach(item -> keyOf(item).ifPresent(key -> records.add(record(key, item))));
            return records;
        } catch (SdkException e) {
            throw unavailable("list the breakers", e);
        }
    }

    @Override
    public Write recordFailure(BreakerKey key, Instant slot, Set<Instant> staleSlots, Instant now) {
        Update update = new Update(key, now)
                .add(FAILURE_SLOT_PREFIX + slot.toEpochMilli(), n(1))
                .set(STATE, s(CLOSED))
                .identify()
                .expiresAt(now)
                .condition(IS_CLOSED)
                .value(":closed", s(CLOSED));
        staleSlots.forEach(stale -> update.remove(FAILURE_SLOT_PREFIX + stale.toEpochMilli()));
        return update.apply("record a failure");
    }

    @Override
    public Write open(BreakerKey key, Instant seenCountedAfter, Instant now, Instant openUntil) {
        Update update = new Update(key, now)
                .set(STATE, s(OPEN))
                .identify()
                .set(OPENED_AT, millis(now))
                .set(OPEN_UNTIL, millis(openUntil))
                .set(COUNTED_AFTER, millis(now))
                .set(FAILED_PROBES, n(0))
                .remove(PROBE_OWNER)
                .remove(PROBE_EXPIRES_AT)
                .expiresAt(openUntil)
                .value(":closed", s(CLOSED));
        if (seenCountedAfter == null) {
            update.condition(IS_CLOSED + " AND attribute_not_exists(#counted_after)");
        } else {
            update.condition(IS_CLOSED + " AND #counted_after = :seen").value(":seen", millis(seenCountedAfter));
        }
        return update.apply("open the breaker");
    }

    @Override
    public Write tryAcquireProbe(BreakerKey key, String owner, Instant now, Instant expiresAt) {
        return new Update(key, now)
                .set(PROBE_OWNER, s(owner))
                .set(PROBE_EXPIRES_AT, millis(expiresAt))
                .condition("#state = :open AND (attribute_not_exists(#open_until) OR #open_until <= :now)"
                        + " AND (attribute_not_exists(#probe_owner) OR #probe_expires_at <= :now)")
                .value(":open", s(OPEN))
                .apply("take the probe right");
    }

    @Override
    public Write close(BreakerKey key, String owner, Instant now, Optional<Instant> rateLimitedUntil) {
        Update update = new Update(key, now)
                .set(STATE, s(CLOSED))
                .remove(OPENED_AT)
                .remove(OPEN_UNTIL)
                .remove(FAILED_PROBES)
                .remove(PROBE_OWNER)
                .remove(PROBE_EXPIRES_AT)
                .expiresAt(rateLimitedUntil.orElse(now))
                .condition(HOLDS_PROBE)
                .value(":open", s(OPEN))
                .value(":owner", s(owner));
        rateLimitedUntil.ifPresent(until -> update.set(RATE_LIMITED_UNTIL, millis(until)));
        return update.apply("close the breaker");
    }

    @Override
    public Write reopen(BreakerKey key, String owner, Instant now, Instant openUntil, int failedProbes) {
        return new Update(key, now)
                .set(OPEN_UNTIL, millis(openUntil))
                .set(FAILED_PROBES, n(failedProbes))
                .remove(PROBE_OWNER)
                .remove(PROBE_EXPIRES_AT)
                .expiresAt(openUntil)
                .condition(HOLDS_PROBE)
                .value(":open", s(OPEN))
                .value(":owner", s(owner))
                .apply("re-open the breaker");
    }

    @Override
    public Write releaseProbe(BreakerKey key, String owner, Instant now) {
        return new Update(key, now)
                .remove(PROBE_OWNER)
                .remove(PROBE_EXPIRES_AT)
                .condition("#probe_owner = :owner")
                .value(":owner", s(owner))
                .apply("give the probe right back");
    }

    @Override
    public Write holdForRateLimit(BreakerKey key, Instant until, Instant now) {
        return new Update(key, now)
                .set(RATE_LIMITED_UNTIL, millis(until))
                .set(STATE, s(CLOSED))
                .identify()
                .expiresAt(until)
                .condition(IS_CLOSED + " AND (attribute_not_exists(#rate_limited_until) OR #rate_limited_until < :until)")
                .value(":closed", s(CLOSED))
                .value(":until", millis(until))
                .apply("hold for a rate limit");
    }

    @Override
    public void forceOpen(BreakerKey key, Instant now, Instant until) {
        new Update(key, now)
                .set(STATE, s(OPEN))
                .identify()
                .set(OPENED_AT, millis(now))
                .set(OPEN_UNTIL, millis(until))
                .set(COUNTED_AFTER, millis(now))
                .set(FAILED_PROBES, n(0))
                .remove(PROBE_OWNER)
                .remove(PROBE_EXPIRES_AT)
                .expiresAt(until)
                .apply("force the breaker open");
    }

    @Override
    public void forceClose(BreakerKey key, Instant now) {
        new Update(key, now)
                .set(STATE, s(CLOSED))
                .identify()
                .set(COUNTED_AFTER, millis(now))
                .remove(OPENED_AT)
                .remove(OPEN_UNTIL)
                .remove(FAILED_PROBES)
                .remove(PROBE_OWNER)
                .remove(PROBE_EXPIRES_AT)
                .remove(RATE_LIMITED_UNTIL)
                .expiresAt(now)
                .apply("force the breaker closed");
    }

    private static AttributeValue millis(Instant instant) {
        return n(instant.toEpochMilli());
    }

    static BreakerRecord record(BreakerKey key, Map<String, AttributeValue> item) {
        Map<Instant, Long> slots = new HashMap<>();
        item.forEach((name, value) -> {
            if (name.startsWith(FAILURE_SLOT_PREFIX) && value.n() != null) {
                slots.put(Instant.ofEpochMilli(Long.parseLong(name.substring(FAILURE_SLOT_PREFIX.length()))),
                        Long.parseLong(value.n()));
            }
        });
        AttributeValue owner = item.get(PROBE_OWNER);
        AttributeValue probes = item.get(FAILED_PROBES);
        return new BreakerRecord(key,
                item.containsKey(STATE) && OPEN.equals(item.get(STATE).s()),
                slots,
                instant(item, COUNTED_AFTER),
                instant(item, OPENED_AT),
                instant(item, OPEN_UNTIL),
                probes == null || probes.n() == null ? 0 : Integer.parseInt(probes.n()),
                owner == null ? null : owner.s(),
                instant(item, PROBE_EXPIRES_AT),
                instant(item, RATE_LIMITED_UNTIL));
    }

    /**
     * The key from {@code provider} and {@code model}, or from the pk if an operator's item lacks them; empty
     * for an item that names no breaker (skipped, so one bad item cannot hide the others).
     */
    private static Optional<BreakerKey> keyOf(Map<String, AttributeValue> item) {
        AttributeValue provider = item.get(PROVIDER);
        AttributeValue model = item.get(MODEL);
        if (provider != null && model != null && provider.s() != null && model.s() != null) {
            return Optional.of(BreakerKey.of(provider.s(), model.s()));
        }
        AttributeValue pk = item.get(PK);
        if (pk == null || pk.s() == null || !pk.s().startsWith(KEY_PREFIX)) {
            return Optional.empty();
        }
        String rest = pk.s().substring(KEY_PREFIX.length());
        int hash = rest.indexOf('#');
        if (hash <= 0 || hash == rest.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(BreakerKey.of(rest.substring(0, hash), rest.substring(hash + 1)));
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }

    private static DependencyUnavailableException unavailable(String action, SdkException e) {
        return new DependencyUnavailableException("breaker table: could not " + action + ": " + e.getMessage(), e);
    }

    /** One UpdateItem: SET, REMOVE and ADD clauses, a condition, and every name given a placeholder. */
    private final class Update {
        private final BreakerKey key;
        private final Instant now;
        private final List<String> sets = new ArrayList<>();
        private final List<String> removes = new ArrayList<>();
        private final List<String> adds = new ArrayList<>();
        private final Map<String, String> names = new LinkedHashMap<>();
        private final Map<String, AttributeValue> values = new LinkedHashMap<>();
        private String condition;

        Update(BreakerKey key, Instant now) {
            this.key = key;
            this.now = now;
            set(UPDATED_AT, millis(now));
        }

        Update set(String attribute, AttributeValue value) {
            sets.add(placeholder(attribute) + " = " + valuePlaceholder(value));
            return this;
        }

        Update add(String attribute, AttributeValue value) {
            adds.add(placeholder(attribute) + " " + valuePlaceholder(value));
            return this;
        }

        Update remove(String attribute) {
            removes.add(placeholder(attribute));
            return this;
        }

        /** Writes the provider and model, so listings need not parse the key. */
        Update identify() {
            return set(PROVIDER, s(key.provider())).set(MODEL, s(key.model()));
        }

        /** TTL a retention period after {@code horizon}, the last time this write's state matters. */
        Update expiresAt(Instant horizon) {
            return set(EXPIRES_AT, n(horizon.plus(RETENTION).getEpochSecond()));
        }

        /** The condition, naming attributes as {@code #<attribute>} and the write's time as {@code :now}. */
        Update condition(String expression) {
            this.condition = expression;
            for (String attribute : CONDITION_ATTRIBUTES) {
                if (expression.contains("#" + attribute)) {
                    placeholder(attribute);
                }
            }
            if (expression.contains(":now")) {
                values.put(":now", millis(now));
            }
            return this;
        }

        Update value(String placeholder, AttributeValue value) {
            values.put(placeholder, value);
            return this;
        }

        /** {@code #<attribute>} for the fixed attributes, {@code #slot<i>} for failure slots. */
        private String placeholder(String attribute) {
            for (Map.Entry<String, String> entry : names.entrySet()) {
                if (entry.getValue().equals(attribute)) {
                    return entry.getKey();
                }
            }
            String placeholder = attribute.startsWith(FAILURE_SLOT_PREFIX) ? "#slot" + names.size() : "#" + attribute;
            names.put(placeholder, attribute);
            return placeholder;
        }

        private String valuePlaceholder(AttributeValue value) {
            String placeholder = ":v" + values.size();
            values.put(placeholder, value);
            return placeholder;
        }

        Write apply(String action) {
            StringBuilder expression = new StringBuilder("SET ").append(String.join(", ", sets));
            if (!removes.isEmpty()) {
                expression.append(" REMOVE ").append(String.join(", ", removes));
            }
            if (!adds.isEmpty()) {
                expression.append(" ADD ").append(String.join(", ", adds));
            }
            UpdateItemRequest.Builder request = UpdateItemRequest.builder()
                    .tableName(table)
                    .key(Map.of(PK, s(pk(key))))
                    .updateExpression(expression.toString())
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW);
            if (condition != null) {
                request.conditionExpression(condition)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            }
            try {
                return new Write(true, record(key, dynamoDb.updateItem(request.build()).attributes()));
            } catch (ConditionalCheckFailedException e) {
                return new Write(false, current(e));
            } catch (SdkException e) {
                throw unavailable(action + " (" + key + ")", e);
            }
        }

        /** The item that failed the condition, from the error, or read (strongly) if the service sent none. */
        private BreakerRecord current(ConditionalCheckFailedException e) {
            if (e.hasItem() && !e.item().isEmpty()) {
                return record(key, e.item());
            }
            Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table)
                    .key(Map.of(PK, s(pk(key)))).consistentRead(true)).item();
            return item == null || item.isEmpty() ? BreakerRecord.closed(key) : record(key, item);
        }
    }
}
