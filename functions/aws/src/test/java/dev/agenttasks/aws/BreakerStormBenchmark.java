package dev.agenttasks.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.breaker.BreakerConfig;
import dev.agenttasks.domain.breaker.BreakerListener;
import dev.agenttasks.domain.breaker.Permit;
import dev.agenttasks.domain.breaker.SharedCircuitBreaker;
import dev.agenttasks.domain.fakes.MutableClock;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.testkit.MotoEnvironment;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Not a test: how many calls a dead provider gets in its first minute from 1, 4 and 16 worker instances,
 * guarded by nothing, by one resilience4j {@link CircuitBreaker} per instance, and by the
 * {@link SharedCircuitBreaker} on BreakerTable (moto), and the DynamoDB requests each design spends.
 *
 * <p>Simulated time (a {@link MutableClock}), real DynamoDB requests. Each instance is a worker calling one
 * model back to back: a call fails after {@value #CALL_MS} ms (a 503 from the provider's edge), and the next
 * task's call starts at once, so an unguarded instance makes 5 calls a second; a call the breaker holds costs
 * the worker {@value #POLL_MS} ms (handing the message back, receiving the next). Instances start staggered
 * across the first call. Both breakers: 5 failures within 60 s open it; 30 s open, then one probe call, the
 * open time doubling per failed probe up to 5 minutes. Run: {@code bench/breaker-storm.sh [seconds]}.
 */
public final class BreakerStormBenchmark {

    static final long CALL_MS = 200;
    static final long POLL_MS = 200;
    private static final String PROVIDER = "openai";
    private static final String MODEL = "llama-3.3-70b-versatile";
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final LlmException DEAD = new LlmException(LlmException.Kind.TRANSIENT, "http_503", "HTTP 503",
            503, null, null);

    /** One design's view of one instance: a permit to call (null when held), then the outcome. */
    interface Guard {
        Object tryAcquire();

        void onResult(Object permit, boolean succeeded);
    }

    record Result(String design, int instances, boolean providerUp, long calls, Map<String, Long> dynamoDb) {
    }

    public static void main(String[] args) {
        Duration length = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 60);
        System.out.printf("Dead provider, first %d s: a call fails after %d ms, a held call costs %d ms; "
                + "threshold 5 in 60 s, open 30 s doubling to 5 min%n%n", length.toSeconds(), CALL_MS, POLL_MS);
        System.out.println("| instances | no breaker | resilience4j per instance | shared breaker | shared breaker's DynamoDB requests |");
        System.out.println("|---|---|---|---|---|");
        for (int instances : new int[] {1, 4, 16}) {
            Result none = run("none", instances, false, length);
            Result local = run("resilience4j", instances, false, length);
            Result shared = run("shared", instances, false, length);
            System.out.printf("| %d | %d | %d | %d | %s |%n", instances, none.calls(), local.calls(), shared.calls(),
                    describe(shared.dynamoDb()));
        }
        System.out.printf("%nHealthy provider, %d s (each call succeeds after %d ms)%n%n", length.toSeconds(), CALL_MS);
        System.out.println("| instances | calls | shared breaker's DynamoDB requests | per call |");
        System.out.println("|---|---|---|---|");
        for (int instances : new int[] {1, 4, 16}) {
            Result healthy = run("shared", instances, true, length);
            long requests = healthy.dynamoDb().values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("| %d | %d | %s | %.3f |%n", instances, healthy.calls(), describe(healthy.dynamoDb()),
                    (double) requests / healthy.calls());
        }
        System.exit(0);
    }

    private static String describe(Map<String, Long> requests) {
        if (requests.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        requests.forEach((operation, count) -> parts.add(count + " " + operation));
        return String.join(", ", parts);
    }

    static Result run(String design, int instances, boolean providerUp, Duration length) {
        MutableClock clock = new MutableClock(T0);
        DynamoDbRequestCounter requests = new DynamoDbRequestCounter();
        List<Guard> guards = new ArrayList<>();
        if (design.equals("shared")) {
            Config config = Config.of(MotoEnvironment.fresh());
            DynamoDbClient dynamoDb = new AwsClients(config).build(DynamoDbClient.builder(),
                    ClientOverrideConfiguration.builder().addExecutionInterceptor(requests).build());
            for (int i = 0; i < instances; i++) {
                guards.add(shared(SharedCircuitBreaker.of(
                        new DynamoDbCircuitBreakerStore(dynamoDb, config.breakerTable()),
                        BreakerConfig.ofDefaults(), clock, BreakerListener.NONE)));
            }
        } else {
            for (int i = 0; i < instances; i++) {
                guards.add(design.equals("resilience4j") ? resilience4j(clock, i) : unguarded());
            }
        }
        long calls = simulate(guards, clock, providerUp, length);
        return new Result(design, instances, providerUp, calls, requests.byOperation());
    }

    /** Discrete events in time order: a worker tries a call, or its call ends. */
    private static long simulate(List<Guard> guards, MutableClock clock, boolean providerUp, Duration length) {
        record Event(long atMs, int instance, Object permit) {
        }
        PriorityQueue<Event> events = new PriorityQueue<>(
                Comparator.comparingLong(Event::atMs).thenComparingInt(Event::instance));
        for (int i = 0; i < guards.size(); i++) {
            events.add(new Event(i * CALL_MS / guards.size(), i, null));
        }
        long end = length.toMillis();
        long calls = 0;
        while (!events.isEmpty() && events.peek().atMs() < end) {
            Event event = events.poll();
            clock.set(T0.plusMillis(event.atMs()));
            Guard guard = guards.get(event.instance());
            if (event.permit() != null) {
                guard.onResult(event.permit(), providerUp);
                events.add(new Event(event.atMs(), event.instance(), null));
                continue;
            }
            Object permit = guard.tryAcquire();
            if (permit == null) {
                events.add(new Event(event.atMs() + POLL_MS, event.instance(), null));
            } else {
                calls++;
                events.add(new Event(event.atMs() + CALL_MS, event.instance(), permit));
            }
        }
        return calls;
    }

    private static Guard unguarded() {
        return new Guard() {
            @Override
            public Object tryAcquire() {
                return Boolean.TRUE;
            }

            @Override
            public void onResult(Object permit, boolean succeeded) {
            }
        };
    }

    /** The same rule as the shared breaker, kept in one instance's memory. */
    private static Guard resilience4j(MutableClock clock, int instance) {
        CircuitBreaker breaker = CircuitBreaker.of("instance-" + instance, CircuitBreakerConfig.custom()
                .slidingWindow(60, 5, SlidingWindowType.TIME_BASED)
                .failureRateThreshold(1)
                .permittedNumberOfCallsInHalfOpenState(1)
                .waitIntervalFunctionInOpenState(IntervalFunction.ofExponentialBackoff(
                        Duration.ofSeconds(30), 2.0, Duration.ofMinutes(5)))
                .clock(clock)
                .build());
        return new Guard() {
            @Override
            public Object tryAcquire() {
                return breaker.tryAcquirePermission() ? Boolean.TRUE : null;
            }

            @Override
            public void onResult(Object permit, boolean succeeded) {
                if (succeeded) {
                    breaker.onSuccess(CALL_MS, TimeUnit.MILLISECONDS);
                } else {
                    breaker.onError(CALL_MS, TimeUnit.MILLISECONDS, DEAD);
                }
            }
        };
    }

    private static Guard shared(SharedCircuitBreaker breaker) {
        return new Guard() {
            @Override
            public Object tryAcquire() {
                Permit permit = breaker.acquire(PROVIDER, MODEL);
                return permit.callAllowed() ? permit : null;
            }

            @Override
            public void onResult(Object permit, boolean succeeded) {
                if (succeeded) {
                    breaker.onSuccess((Permit) permit);
                } else {
                    breaker.onFailure((Permit) permit, DEAD);
                }
            }
        };
    }

    private BreakerStormBenchmark() {
    }
}
