package dev.agenttasks.domain.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import dev.agenttasks.domain.fakes.FaultyTaskStore;
import dev.agenttasks.domain.fakes.InMemoryTaskStore;
import dev.agenttasks.domain.port.InFlightMessage;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;

/**
 * The heartbeat in real time (real threads, a few seconds), against a store whose renewals are slow. Each test has
 * its own store and heartbeat and mostly waits, so they run at once.
 */
@Execution(ExecutionMode.CONCURRENT)
class LeaseHeartbeatIT {

    private static final Duration LEASE = Duration.ofSeconds(3);
    private final Clock clock = Clock.systemUTC();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    /** A store whose lease renewals each take {@code latency}, recording when each one landed. */
    private static final class SlowStore extends FaultyTaskStore {
        final InMemoryTaskStore store;
        final Map<String, List<Instant[]>> renewals = new ConcurrentHashMap<>();
        private final Duration latency;

        SlowStore(Duration latency) {
            this(new InMemoryTaskStore(), latency);
        }

        private SlowStore(InMemoryTaskStore store, Duration latency) {
            super(store);
            this.store = store;
            this.latency = latency;
        }

        @Override
        public boolean renewLease(String taskId, String leaseOwner, Instant now, Duration lease) {
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            Instant landed = Instant.now();
            boolean renewed = store.renewLease(taskId, leaseOwner, landed, lease);
            renewals.computeIfAbsent(taskId, id -> new CopyOnWriteArrayList<>()).add(new Instant[] {landed, landed.plus(lease)});
            return renewed;
        }
    }

    private LeaseHeartbeat heartbeat(SlowStore store) {
        LeaseHeartbeat heartbeat = new LeaseHeartbeat(store, clock, LEASE);
        open.add(heartbeat);
        return heartbeat;
    }

    private String claimed(SlowStore store) {
        Instant now = Instant.now();
        Task task = Task.pending(TaskIds.newId(), "iam:alice", "t", null, now, now.plus(Duration.ofDays(1)));
        store.store.createIfAbsent(task);
        store.store.claim(task.id(), "worker", now, LEASE);
        return task.id();
    }

    @Test
    void slowRenewalsOfManyLeasesDoNotQueueBehindEachOtherPastTheLease() {
        SlowStore store = new SlowStore(Duration.ofMillis(600));
        LeaseHeartbeat heartbeat = heartbeat(store);
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = claimed(store);
            tasks.add(id);
            open.add(heartbeat.start(id, "worker", InFlightMessage.none(), Instant.now().plusSeconds(60)));
        }

        await().atMost(Duration.ofSeconds(15)).until(() ->
                tasks.stream().allMatch(id -> store.renewals.getOrDefault(id, List.of()).size() >= 3));

        // One renewal at a time would take 12 x 0.6 s = 7.2 s a round, more than the 3 s lease.
        for (String id : tasks) {
            List<Instant[]> landed = store.renewals.get(id);
            for (int i = 1; i < landed.size(); i++) {
                assertThat(landed.get(i)[0]).as("renewal %d of task %s before the previous lease ended", i, id)
                        .isBefore(landed.get(i - 1)[1]);
            }
        }
    }

    @Test
    void aRenewalStillInFlightMakesTheNextTickSkipInsteadOfPilingUp() {
        SlowStore store = new SlowStore(Duration.ofMillis(1_500));
        LeaseHeartbeat heartbeat = heartbeat(store);
        String id = claimed(store);
        AtomicInteger hidden = new AtomicInteger();
        open.add(heartbeat.start(id, "worker", timeout -> hidden.incrementAndGet() > 0, Instant.now().plusSeconds(60)));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> store.renewals.getOrDefault(id, List.of()).size() >= 2 && hidden.get() >= 2);

        List<Instant[]> landed = store.renewals.get(id);
        assertThat(Duration.between(landed.get(0)[0], landed.get(1)[0])).isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
        assertThat(hidden.get()).as("hidden at the start and again after each renewal").isGreaterThanOrEqualTo(3);
    }

    @Test
    void aCallPastItsBudgetIsNoLongerRenewed() {
        SlowStore store = new SlowStore(Duration.ZERO);
        LeaseHeartbeat heartbeat = heartbeat(store);
        String id = claimed(store);

        open.add(heartbeat.start(id, "worker", InFlightMessage.none(), Instant.now().plusMillis(1_500)));

        await().atMost(Duration.ofSeconds(3)).until(() -> store.renewals.containsKey(id));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                .until(() -> store.renewals.get(id).size() == 1);
    }

    @Test
    void aLeaseTakenOverIsReportedLost() {
        SlowStore store = new SlowStore(Duration.ZERO);
        LeaseHeartbeat heartbeat = heartbeat(store);
        String id = claimed(store);
        LeaseHeartbeat.Lease lease = heartbeat.start(id, "someone-else", InFlightMessage.none(), Instant.now().plusSeconds(60));
        open.add(lease);

        await().atMost(Duration.ofSeconds(5)).until(lease::lost);
    }

    @Test
    void aCancelRequestStopsTheWorkerAtTheNextRenewal() throws Exception {
        SlowStore store = new SlowStore(Duration.ZERO);
        LeaseHeartbeat heartbeat = heartbeat(store);
        String id = claimed(store);
        java.util.concurrent.CompletableFuture<Boolean> interrupted = new java.util.concurrent.CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try (LeaseHeartbeat.Lease lease = heartbeat.start(id, "worker", InFlightMessage.none(), Instant.now().plusSeconds(60))) {
                Thread.sleep(30_000);   // a provider call that would take long
                interrupted.complete(false);
            } catch (InterruptedException e) {
                interrupted.complete(true);
            }
        });
        worker.start();
        store.store.requestCancel(id, "iam:alice", Instant.now());

        assertThat(interrupted.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(store.store.find(id).orElseThrow().status()).isEqualTo(dev.agenttasks.domain.task.TaskStatus.CANCELLED);
    }
}
