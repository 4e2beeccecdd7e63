package dev.agenttasks.domain.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.domain.port.IdempotencyStore.KeyRecord;

/** What every idempotency store must do: one winner per live (caller, key), expiry honoured, callers apart. */
public abstract class IdempotencyStoreContract {

    protected final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private IdempotencyStore keys;

    protected abstract IdempotencyStore newStore();

    @BeforeEach
    void createStore() {
        keys = newStore();
    }

    private KeyRecord record(String taskId, String fingerprint) {
        return new KeyRecord(taskId, fingerprint, now, now.plus(Duration.ofHours(24)));
    }

    @Test
    void theFirstBindingWinsAndLaterOnesLearnIt() {
        assertThat(keys.bindIfAbsent("iam:alice", "k1", record("task-1", "fp-1"), now)).isEmpty();

        Optional<KeyRecord> second = keys.bindIfAbsent("iam:alice", "k1", record("task-2", "fp-2"), now.plusSeconds(1));

        assertThat(second).hasValueSatisfying(winner -> {
            assertThat(winner.taskId()).isEqualTo("task-1");
            assertThat(winner.fingerprint()).isEqualTo("fp-1");
            assertThat(winner.expiresAt()).isEqualTo(now.plus(Duration.ofHours(24)));
        });
    }

    @Test
    void keysAreScopedPerCaller() {
        assertThat(keys.bindIfAbsent("iam:alice", "shared", record("task-1", "fp"), now)).isEmpty();
        assertThat(keys.bindIfAbsent("iam:bob", "shared", record("task-2", "fp"), now)).isEmpty();
    }

    @Test
    void anExpiredBindingIsReplaced() {
        keys.bindIfAbsent("iam:alice", "k1", record("task-1", "fp-1"), now);

        Instant later = now.plus(Duration.ofHours(24));
        KeyRecord fresh = new KeyRecord("task-2", "fp-2", later, later.plus(Duration.ofHours(24)));

        assertThat(keys.bindIfAbsent("iam:alice", "k1", fresh, later)).isEmpty();
        assertThat(keys.bindIfAbsent("iam:alice", "k1", record("task-3", "fp-3"), later.plusSeconds(1)))
                .hasValueSatisfying(winner -> assertThat(winner.taskId()).isEqualTo("task-2"));
    }

    @Test
    void concurrentBindingsHaveExactlyOneWinner() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<KeyRecord>>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String taskId = "task-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return keys.bindIfAbsent("iam:alice", "race", record(taskId, "fp"), now);
                }));
            }
            start.countDown();
            int winners = 0;
            List<String> seen = new ArrayList<>();
            for (Future<Optional<KeyRecord>> result : results) {
                Optional<KeyRecord> outcome = result.get();
                if (outcome.isEmpty()) {
                    winners++;
                } else {
                    seen.add(outcome.get().taskId());
                }
            }
            assertThat(winners).isEqualTo(1);
            assertThat(seen).hasSize(11).allMatch(id -> id.equals(seen.get(0)));
        } finally {
            pool.shutdownNow();
        }
    }
}
