package dev.agenttasks.domain.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

    private static final Duration BASE = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofMillis(1_000);
    private static final double ALMOST_ONE = Math.nextDown(1.0);

    @ParameterizedTest(name = "after {0} attempt(s) the wait is at most {1} ms")
    @CsvSource({"1, 100", "2, 200", "3, 400", "4, 800", "5, 1000", "6, 1000", "40, 1000", "2147483647, 1000"})
    void theCeilingDoublesPerAttemptUpToTheMaximum(int attemptsMade, long ceilingMs) {
        assertThat(new Backoff(BASE, MAX, () -> 0.0).delay(attemptsMade, Duration.ZERO)).isZero();
        assertThat(new Backoff(BASE, MAX, () -> ALMOST_ONE).delay(attemptsMade, Duration.ZERO))
                .isEqualTo(Duration.ofMillis(ceilingMs));
    }

    @Test
    void fullJitterSpreadsWaitsOverTheWholeRange() {
        SplittableRandom random = new SplittableRandom(42);
        Backoff backoff = new Backoff(BASE, MAX, random::nextDouble);
        long below = 0;
        long above = 0;
        for (int i = 0; i < 10_000; i++) {
            Duration wait = backoff.delay(3, Duration.ZERO);
            assertThat(wait).isBetween(Duration.ZERO, Duration.ofMillis(400));
            if (wait.toMillis() < 200) {
                below++;
            } else {
                above++;
            }
        }
        assertThat(below).isBetween(4_500L, 5_500L);
        assertThat(above).isBetween(4_500L, 5_500L);
    }

    @Test
    void theProviderHintIsAFloor() {
        Backoff backoff = new Backoff(BASE, MAX, () -> 0.0);

        assertThat(backoff.delay(1, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.delay(1, Duration.ofMinutes(5))).as("a hint above the maximum still wins")
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(new Backoff(BASE, MAX, () -> ALMOST_ONE).delay(4, Duration.ofMillis(50)))
                .isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.delay(1, null)).isZero();
    }
}
