package dev.agenttasks.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.breaker.BreakerCounters;
import dev.agenttasks.domain.breaker.BreakerState;
import dev.agenttasks.domain.breaker.Permit;
import dev.agenttasks.domain.breaker.SharedCircuitBreaker;
import dev.agenttasks.domain.fakes.MutableClock;

/** The breaker as the worker and the reconciler get it: BreakerTable on moto and the BREAKER_* settings. */
class SharedCircuitBreakerWiringIT {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

    @Test
    void theWiredBreakerOpensOnTheConfiguredThresholdInTheTemplatesTable() {
        ServiceWiring wiring = MotoTestEnvironment.freshWiring(Map.of("BREAKER_FAILURE_THRESHOLD", "2",
                "BREAKER_RECOVERY_SECONDS", "10", "LLM_TIMEOUT_MS", "20000"), clock);
        BreakerCounters counters = new BreakerCounters();
        SharedCircuitBreaker breaker = wiring.sharedCircuitBreaker(counters);

        breaker.onTransientFailure(breaker.acquire("openai", "llama-3.3-70b-versatile"));
        breaker.onTransientFailure(breaker.acquire("openai", "llama-3.3-70b-versatile"));

        assertThat(breaker.acquire("openai", "llama-3.3-70b-versatile")).isInstanceOfSatisfying(Permit.Held.class,
                held -> assertThat(held.until()).isEqualTo(clock.instant().plusSeconds(10)));
        assertThat(breaker.config().probeRight()).isEqualTo(Duration.ofSeconds(25));
        assertThat(counters.drain()).containsEntry(BreakerCounters.OPENED, 1L);
        clock.advance(Duration.ofSeconds(40));
        assertThat(breaker.statuses()).singleElement()
                .satisfies(status -> assertThat(status.state()).isEqualTo(BreakerState.HALF_OPEN));
        assertThat(breaker.longestOpen()).isEqualTo(Duration.ofSeconds(40));
    }
}
