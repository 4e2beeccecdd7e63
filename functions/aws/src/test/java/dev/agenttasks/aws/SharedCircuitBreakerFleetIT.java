package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.breaker.BreakerConfig;
import dev.agenttasks.domain.breaker.BreakerCounters;
import dev.agenttasks.domain.breaker.Permit;
import dev.agenttasks.domain.breaker.Permit.Allowed;
import dev.agenttasks.domain.breaker.Permit.Held;
import dev.agenttasks.domain.breaker.Permit.Probe;
import dev.agenttasks.domain.breaker.Permit.Reason;
import dev.agenttasks.domain.breaker.SharedCircuitBreaker;
import dev.agenttasks.domain.fakes.MutableClock;
import dev.agenttasks.domain.port.BreakerKey;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.testkit.MotoEnvironment;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A fleet of workers on moto: each worker is its own {@link SharedCircuitBreaker} (its own cache, its own SDK
 * client), and they share only BreakerTable and a clock the test moves. Real threads where they race.
 */
class SharedCircuitBreakerFleetIT {

    private static final int WORKERS = 8;
    private static final String PROVIDER = "openai";
    private static final String MODEL = "llama-3.3-70b-versatile";
    private static final BreakerKey KEY = BreakerKey.of(PROVIDER, MODEL);
    private static final BreakerConfig CONFIG = BreakerConfig.ofDefaults();
    private static final LlmException DEAD = new LlmException(LlmException.Kind.TRANSIENT, "http_503",
            "HTTP 503", 503, null, null);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final BreakerCounters counters = new BreakerCounters();
    private final DynamoDbRequestCounter requests = new DynamoDbRequestCounter();
    private final ExecutorService threads = Executors.newFixedThreadPool(WORKERS);
    private Map<String, String> env;
    private List<SharedCircuitBreaker> fleet;

    @BeforeEach
    void fleetOnMoto() {
        env = MotoEnvironment.fresh();
        Config config = Config.of(env);
        fleet = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            DynamoDbClient dynamoDb = new AwsClients(config).build(DynamoDbClient.builder(),
                    ClientOverrideConfiguration.builder().addExecutionInterceptor(requests).build());
            fleet.add(SharedCircuitBreaker.of(new DynamoDbCircuitBreakerStore(dynamoDb, config.breakerTable()),
                    CONFIG, clock, counters));
        }
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Runs one task per worker, all released at once; returns their results in worker order. */
    private <T> List<T> race(java.util.function.Function<SharedCircuitBreaker, T> task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (SharedCircuitBreaker worker : fleet) {
            futures.add(threads.submit(() -> {
                start.await();
                return task.apply(worker);
            }));
        }
        start.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> futures.stream().allMatch(Future::isDone));
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get());
        }
        return results;
    }

    private SharedCircuitBreaker worker(int i) {
        return fleet.get(i);
    }

    private void openTheBreaker() {
        for (int i = 0; i < CONFIG.failureThreshold(); i++) {
            Permit permit = worker(0).acquire(PROVIDER, MODEL);
            assertThat(permit).isInstanceOf(Allowed.class);
            worker(0).onFailure(permit, DEAD);
        }
        assertThat(worker(0).acquire(PROVIDER, MODEL)).isInstanceOf(Held.class);
    }

    @Test
    void aDeadProviderGetsNoMoreCallsThanTheThresholdPlusThoseAlreadyInFlight() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        List<Integer> callsPerWorker = race(worker -> {
            int made = 0;
            while (true) {
                Permit permit = worker.acquire(PROVIDER, MODEL);
                if (!permit.callAllowed()) {
                    return made;
                }
                calls.incrementAndGet();
                made++;
                worker.onFailure(permit, DEAD);
            }
        });

        assertThat(calls.get()).as("calls per worker: %s", callsPerWorker)
                .isBetween(CONFIG.failureThreshold(), CONFIG.failureThreshold() + WORKERS - 1);
        assertThat(counters.get(BreakerCounters.OPENED)).as("one worker opened it").isEqualTo(1);
        clock.advance(CONFIG.cacheTtl());
        assertThat(fleet).allSatisfy(worker -> assertThat(worker.acquire(PROVIDER, MODEL)).isInstanceOf(Held.class));
    }

    @Test
    void exactlyOneWorkerProbesPerRecoveryPeriodEvenWhenTheWholeFleetRaces() throws Exception {
        openTheBreaker();
        Instant openedAt = clock.instant();
        List<Duration> openTimes = List.of(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120));
        Instant openUntil = openedAt.plus(openTimes.get(0));

        for (int period = 0; period < openTimes.size(); period++) {
            clock.set(openUntil.minusMillis(1));
            assertThat(race(worker -> worker.acquire(PROVIDER, MODEL)))
                    .as("period %d: nobody probes before the open time ends", period)
                    .allSatisfy(permit -> assertThat(permit).isInstanceOf(Held.class));

            clock.set(openUntil);
            List<Permit> permits = race(worker -> worker.acquire(PROVIDER, MODEL));

            assertThat(permits).as("period %d", period).filteredOn(Probe.class::isInstance).hasSize(1);
            assertThat(permits).filteredOn(Held.class::isInstance).hasSize(WORKERS - 1);
            int prober = permits.indexOf(permits.stream().filter(Probe.class::isInstance).findFirst().orElseThrow());
            if (period < openTimes.size() - 1) {
                worker(prober).onFailure(permits.get(prober), DEAD);
                openUntil = clock.instant().plus(openTimes.get(period + 1));
            } else {
                worker(prober).onSuccess(permits.get(prober));
            }
        }

        clock.advance(CONFIG.cacheTtl());
        assertThat(race(worker -> worker.acquire(PROVIDER, MODEL)))
                .allSatisfy(permit -> assertThat(permit).isInstanceOf(Allowed.class));
        assertThat(counters.get(BreakerCounters.PROBES)).isEqualTo(3);
        assertThat(counters.get(BreakerCounters.REOPENED)).isEqualTo(2);
        assertThat(counters.get(BreakerCounters.CLOSED)).isEqualTo(1);
    }

    @Test
    void aDeadProbersRightLapsesAndAnotherWorkerProbesInstead() throws Exception {
        openTheBreaker();
        clock.advance(CONFIG.recovery());
        Permit abandoned = worker(0).acquire(PROVIDER, MODEL);
        assertThat(abandoned).isInstanceOf(Probe.class);
        List<SharedCircuitBreaker> others = fleet.subList(1, WORKERS);

        clock.advance(CONFIG.probeRight().minusMillis(1));
        assertThat(others).allSatisfy(worker -> assertThat(worker.acquire(PROVIDER, MODEL)).isInstanceOf(Held.class));
        clock.advance(Duration.ofMillis(1));
        List<Permit> permits = race(worker -> worker == worker(0) ? null : worker.acquire(PROVIDER, MODEL));

        assertThat(permits).filteredOn(Probe.class::isInstance).hasSize(1);
        int prober = permits.indexOf(permits.stream().filter(Probe.class::isInstance).findFirst().orElseThrow());
        worker(prober).onSuccess(permits.get(prober));
        worker(0).onTransientFailure(abandoned);
        clock.advance(CONFIG.cacheTtl());

        assertThat(fleet).allSatisfy(worker -> assertThat(worker.acquire(PROVIDER, MODEL)).isInstanceOf(Allowed.class));
        assertThat(counters.get(BreakerCounters.CLOSED)).isEqualTo(1);
        assertThat(counters.get(BreakerCounters.REOPENED)).as("the late report changed nothing").isZero();
    }

    @Test
    void oneWorkersRateLimitHoldsTheWholeFleetUntilTheProvidersHint() throws Exception {
        Permit permit = worker(0).acquire(PROVIDER, MODEL);
        worker(0).onFailure(permit, new LlmException(LlmException.Kind.TRANSIENT, "http_429", "HTTP 429", 429,
                Duration.ofSeconds(20), null));
        Instant until = clock.instant().plusSeconds(20);
        clock.advance(CONFIG.cacheTtl());

        assertThat(race(worker -> worker.acquire(PROVIDER, MODEL)))
                .allSatisfy(held -> assertThat(held).isEqualTo(new Held(KEY, Reason.RATE_LIMITED, until)));
        clock.set(until);
        assertThat(race(worker -> worker.acquire(PROVIDER, MODEL)))
                .allSatisfy(allowed -> assertThat(allowed).isInstanceOf(Allowed.class));
    }

    @Test
    void theHealthyPathWritesNothingAndReadsAtMostOncePerWorkerPerSecond() throws Exception {
        race(worker -> {
            for (int i = 0; i < 50; i++) {
                Permit permit = worker.acquire(PROVIDER, MODEL);
                worker.onSuccess(permit);
            }
            return null;
        });
        clock.advance(CONFIG.cacheTtl());
        race(worker -> {
            worker.onSuccess(worker.acquire(PROVIDER, MODEL));
            return null;
        });

        assertThat(requests.byOperation()).isEqualTo(Map.of("GetItem", 2L * WORKERS));
    }

    @Test
    void aMissingBreakerTableLetsCallsThroughAndCountsEachFailOpen() {
        Config config = Config.of(env);
        SharedCircuitBreaker breaker = SharedCircuitBreaker.of(
                new DynamoDbCircuitBreakerStore(new AwsClients(config).breakerDynamoDb(), "NoSuchBreakerTable"),
                CONFIG, clock, counters);

        assertUnguarded(breaker);
    }

    @Test
    void anUnreachableEndpointLetsCallsThroughAndCountsEachFailOpen() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> unreachable = new HashMap<>(env);
        unreachable.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + closedPort);
        Config config = Config.of(unreachable);
        SharedCircuitBreaker breaker = SharedCircuitBreaker.of(
                new DynamoDbCircuitBreakerStore(new AwsClients(config).breakerDynamoDb(), config.breakerTable()),
                CONFIG, clock, counters);

        assertUnguarded(breaker);
    }

    private void assertUnguarded(SharedCircuitBreaker breaker) {
        int calls = 0;
        for (int i = 0; i < 2 * CONFIG.failureThreshold(); i++) {
            Permit permit = breaker.acquire(PROVIDER, MODEL);
            assertThat(permit).isInstanceOf(Allowed.class);
            calls++;
            breaker.onFailure(permit, DEAD);
        }

        assertThat(calls).isEqualTo(2 * CONFIG.failureThreshold());
        assertThat(counters.get(BreakerCounters.FAIL_OPEN)).as("one read and every failure report")
                .isEqualTo(1 + 2L * CONFIG.failureThreshold());
        assertThat(counters.get(BreakerCounters.OPENED)).isZero();
    }
}
