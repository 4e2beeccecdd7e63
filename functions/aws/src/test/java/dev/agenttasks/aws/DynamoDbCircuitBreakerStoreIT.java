package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.port.BreakerKey;
import dev.agenttasks.domain.port.CircuitBreakerStore;
import dev.agenttasks.domain.port.CircuitBreakerStoreContract;
import dev.agenttasks.testkit.MotoEnvironment;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The store contract against BreakerTable on moto, and what only the DynamoDB items show. */
class DynamoDbCircuitBreakerStoreIT extends CircuitBreakerStoreContract {

    private DynamoDbClient dynamoDb;
    private String table;

    @Override
    protected CircuitBreakerStore emptyStore() {
        Config config = Config.of(MotoEnvironment.fresh());
        dynamoDb = new AwsClients(config).dynamoDb();
        table = config.breakerTable();
        return new DynamoDbCircuitBreakerStore(dynamoDb, table);
    }

    private Map<String, AttributeValue> item(BreakerKey key) {
        return dynamoDb.getItem(b -> b.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("breaker#" + key.provider() + "#" + key.model())))).item();
    }

    @Test
    void aBreakerIsOneItemKeyedByProviderAndModelThatTtlRemovesADayAfterItLastMatters() {
        CircuitBreakerStore store = emptyStore();
        store.recordFailure(KEY, now, Set.of(), now);

        Map<String, AttributeValue> item = item(KEY);

        assertThat(item.get("provider").s()).isEqualTo("openai");
        assertThat(item.get("model").s()).isEqualTo("llama-3.3-70b-versatile");
        assertThat(item.get("state").s()).isEqualTo("closed");
        assertThat(item.get("fail_" + now.toEpochMilli()).n()).isEqualTo("1");
        assertThat(item.get("expires_at").n()).isEqualTo(Long.toString(now.getEpochSecond() + 86_400));

        store.open(KEY, null, now, now.plusSeconds(30));
        assertThat(item(KEY).get("expires_at").n()).isEqualTo(Long.toString(now.getEpochSecond() + 30 + 86_400));
    }

    @Test
    void anItemAnOperatorWroteWithoutProviderOrModelIsStillListedAndProbed() {
        CircuitBreakerStore store = emptyStore();
        dynamoDb.putItem(b -> b.tableName(table).item(Map.of(
                "pk", AttributeValue.fromS("breaker#openai#llama-3.1-8b-instant"),
                "state", AttributeValue.fromS("open"),
                "opened_at", AttributeValue.fromN(Long.toString(now.toEpochMilli())))));
        BreakerKey key = BreakerKey.of("openai", "llama-3.1-8b-instant");

        assertThat(store.findAll()).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(key);
            assertThat(record.open()).isTrue();
        });
        assertThat(store.tryAcquireProbe(key, "w", now, now.plusSeconds(35)).applied())
                .as("no open_until: probe at once rather than stay open for ever").isTrue();
        assertThat(store.close(key, "w", now, Optional.empty()).applied()).isTrue();
    }

    @Test
    void anItemThatNamesNoBreakerIsLeftOutOfTheListing() {
        CircuitBreakerStore store = emptyStore();
        store.recordFailure(KEY, now, Set.of(), now);
        for (String pk : new String[] {"breaker#openai", "breaker#openai#", "something-else"}) {
            dynamoDb.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS(pk),
                    "state", AttributeValue.fromS("open"))));
        }

        assertThat(store.findAll()).extracting(record -> record.key()).containsExactly(KEY);
    }

    @Test
    void staleSlotsAreRemovedFromTheItem() {
        CircuitBreakerStore store = emptyStore();
        Instant old = now.minusSeconds(120);
        store.recordFailure(KEY, old, Set.of(), old);

        store.recordFailure(KEY, now, Set.of(old), now);

        assertThat(item(KEY)).doesNotContainKey("fail_" + old.toEpochMilli()).containsKey("fail_" + now.toEpochMilli());
    }
}
