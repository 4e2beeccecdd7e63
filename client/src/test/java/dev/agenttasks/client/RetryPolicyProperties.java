package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Backoff: full jitter under a capped exponential ceiling; a longer Retry-After wins. */
class RetryPolicyProperties {

    private final RetryPolicy policy = RetryPolicy.defaults();

    @Property
    void aDelayIsNeverAboveItsCeilingNorTheCap(@ForAll @IntRange(min = 1, max = 200) int retry, @ForAll long seed) {
        Duration delay = policy.delay(retry, Optional.empty(), new Random(seed));

        assertThat(delay).isBetween(Duration.ZERO, policy.ceiling(retry));
        assertThat(policy.ceiling(retry)).isLessThanOrEqualTo(policy.maxDelay())
                .isEqualTo(Duration.ofMillis(Math.min(8_000, 250L << Math.min(retry - 1, 30))));
    }

    @Property
    void aRetryAfterLongerThanTheJitterIsWaitedExactly(@ForAll @IntRange(min = 1, max = 10) int retry,
                                                       @ForAll @LongRange(min = 8_001, max = 600_000) long retryAfterMillis,
                                                       @ForAll long seed) {
        Duration retryAfter = Duration.ofMillis(retryAfterMillis);

        assertThat(policy.delay(retry, Optional.of(retryAfter), new Random(seed))).isEqualTo(retryAfter);
    }

    @Property
    void aShortRetryAfterIsAFloorNotACeiling(@ForAll @IntRange(min = 1, max = 10) int retry, @ForAll long seed) {
        Duration delay = policy.delay(retry, Optional.of(Duration.ofMillis(10)), new Random(seed));

        assertThat(delay).isGreaterThanOrEqualTo(Duration.ofMillis(10)).isLessThanOrEqualTo(policy.ceiling(retry));
    }

    @Property
    void onlyTooManyRequestsAndServerErrorsAreRetryable(@ForAll @IntRange(min = 100, max = 599) int status) {
        assertThat(RetryPolicy.retryable(status)).isEqualTo(status == 429 || status >= 500);
    }
}
