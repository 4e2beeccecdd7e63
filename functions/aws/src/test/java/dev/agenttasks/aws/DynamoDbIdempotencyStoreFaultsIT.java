package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.port.IdempotencyStore.KeyRecord;
import dev.agenttasks.testkit.MotoEnvironment;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The idempotency store against moto, directly and through a {@link FaultInjectingProxy} that makes the
 * losing write come back without the winner's item (so the store falls back to a read) and fails that read.
 */
class DynamoDbIdempotencyStoreFaultsIT {

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private Map<String, String> environment;
    private FaultInjectingProxy proxy;
    private DynamoDbClient direct;
    private DynamoDbClient proxied;

    @BeforeEach
    void setUp() throws IOException {
        environment = MotoEnvironment.fresh();
        proxy = new FaultInjectingProxy(URI.create(environment.get("AWS_ENDPOINT_URL")));
        direct = new AwsClients(Config.of(environment)).dynamoDb();
        Map<String, String> viaProxy = new HashMap<>(environment);
        viaProxy.put("AWS_ENDPOINT_URL", proxy.endpoint().toString());
        proxied = new AwsClients(Config.of(viaProxy)).dynamoDb();
    }

    @AfterEach
    void tearDown() {
        direct.close();
        proxied.close();
        proxy.close();
    }

    private DynamoDbIdempotencyStore store(DynamoDbClient client) {
        return new DynamoDbIdempotencyStore(client, Config.of(environment).tasksTable());
    }

    private KeyRecord record(String taskId, String fingerprint) {
        return new KeyRecord(taskId, fingerprint, now, now.plus(Duration.ofHours(24)));
    }

    /** moto's ConditionalCheckFailedException without the ALL_OLD item, as an older emulator would send it. */
    private static String withoutItem(String body) {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode error = (ObjectNode) json.readTree(body);
            error.remove("Item");
            return json.writeValueAsString(error);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theFirstBindingWinsAndTheLoserLearnsItFromTheFailedWrite() {
        assertThat(store(direct).bindIfAbsent("iam:alice", "k", record("task-1", "f1"), now)).isEmpty();

        assertThat(store(proxied).bindIfAbsent("iam:alice", "k", record("task-2", "f2"), now))
                .hasValueSatisfying(winner -> {
                    assertThat(winner.taskId()).isEqualTo("task-1");
                    assertThat(winner.fingerprint()).isEqualTo("f1");
                    assertThat(winner.expiresAt()).isEqualTo(now.plus(Duration.ofHours(24)));
                });
        assertThat(proxy.calls("GetItem")).as("the failed write carried the winner").isZero();
    }

    @Test
    void withoutTheItemOnTheFailedWriteTheWinnerIsRead() {
        store(direct).bindIfAbsent("iam:alice", "k", record("task-1", "f1"), now);
        proxy.rewrite("PutItem", DynamoDbIdempotencyStoreFaultsIT::withoutItem);

        assertThat(store(proxied).bindIfAbsent("iam:alice", "k", record("task-2", "f2"), now))
                .hasValueSatisfying(winner -> assertThat(winner.taskId()).isEqualTo("task-1"));
        assertThat(proxy.calls("GetItem")).isEqualTo(1);
    }

    @Test
    void aThrottledFallbackReadIsDependencyUnavailableSoTheCallerGetsA503() {
        store(direct).bindIfAbsent("iam:alice", "k", record("task-1", "f1"), now);
        proxy.rewrite("PutItem", DynamoDbIdempotencyStoreFaultsIT::withoutItem);
        proxy.answer("GetItem", FaultInjectingProxy.throttled());

        Throwable thrown = catchThrowable(() -> store(proxied).bindIfAbsent("iam:alice", "k", record("task-2", "f2"), now));

        assertThat(thrown).isInstanceOf(DependencyUnavailableException.class)
                .hasMessageContaining("idempotency key");
        assertThat(proxy.calls("GetItem")).as("the SDK retried the throttled read").isGreaterThan(1);
    }

    @Test
    void aWinnerGoneByTheFallbackReadIsDependencyUnavailableNotANullPointer() {
        store(direct).bindIfAbsent("iam:alice", "k", record("task-1", "f1"), now);
        proxy.rewrite("PutItem", DynamoDbIdempotencyStoreFaultsIT::withoutItem);
        proxy.rewrite("GetItem", body -> "{}");

        Throwable thrown = catchThrowable(() -> store(proxied).bindIfAbsent("iam:alice", "k", record("task-2", "f2"), now));

        assertThat(thrown).isInstanceOf(DependencyUnavailableException.class);
    }
}
