package dev.agenttasks.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The moto server the tests and the local stack run. Plain moto_server let two of six racing conditional
 * writes to one item both succeed in about 60% of rounds (measured with this write); DynamoDB lets one.
 */
class MotoServerIT {

    private static final int ROUNDS = 40;
    private static final int WRITERS = 6;
    /** A long SET widens moto's gap between checking the condition and applying the write. */
    private static final String UPDATE = "SET #status = :mine, "
            + IntStream.range(0, 40).mapToObj(i -> "a" + i + " = :mine").collect(Collectors.joining(", "));

    private DynamoDbClient dynamoDb;
    private ExecutorService writers;

    @BeforeEach
    void setUp() {
        MotoServer moto = SharedMotoServer.get();
        moto.reset();
        dynamoDb = LocalAws.dynamoDb(moto.endpoint());
        dynamoDb.createTable(b -> b.tableName("race")
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .billingMode(BillingMode.PAY_PER_REQUEST));
        writers = Executors.newFixedThreadPool(WRITERS);
    }

    @AfterEach
    void tearDown() {
        writers.shutdownNow();
        dynamoDb.close();
    }

    @Test
    void racingConditionalWritesToOneItemHaveOneWinner() throws Exception {
        List<Integer> winnersPerRound = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String key = "item-" + round;
            dynamoDb.putItem(b -> b.tableName("race").item(Map.of("pk", s(key), "status", s("pending"))));
            List<Callable<Boolean>> attempts = new ArrayList<>();
            for (int writer = 0; writer < WRITERS; writer++) {
                String mine = "writer-" + writer;
                attempts.add(() -> claim(key, mine));
            }
            int winners = 0;
            for (Future<Boolean> attempt : writers.invokeAll(attempts)) {
                winners += attempt.get() ? 1 : 0;
            }
            winnersPerRound.add(winners);
        }
        assertThat(winnersPerRound).as("winners in each of %d rounds", ROUNDS).containsOnly(1);
    }

    private boolean claim(String key, String mine) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":mine", s(mine));
        values.put(":pending", s("pending"));
        try {
            dynamoDb.updateItem(b -> b.tableName("race").key(Map.of("pk", s(key)))
                    .updateExpression(UPDATE)
                    .conditionExpression("#status = :pending")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }
}
