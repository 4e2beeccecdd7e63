package dev.agenttasks.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {

    /** Wednesday 21 October 2015, 07:27:00 UTC. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2015-10-21T07:27:00Z"), ZoneOffset.UTC);

    @Nested
    class RetryAfterHeader {

        @ParameterizedTest
        @CsvSource({
                "0, 0",
                "1, 1000",
                "120, 120000",
                "' 30 ', 30000",
                "1.5, 1500",
                "0.25, 250",
                "2.81, 2810",
                "999999999, 999999999000"
        })
        void readsDeltaSeconds(String value, long expectedMillis) {
            assertThat(RetryAfter.parseRetryAfter(value, CLOCK)).contains(Duration.ofMillis(expectedMillis));
        }

        @Test
        void keepsFractionsDownToTheNanosecond() {
            assertThat(RetryAfter.parseRetryAfter("0.0000015", CLOCK)).contains(Duration.ofNanos(1_500));
            assertThat(RetryAfter.parseRetryAfter("2.8100000019", CLOCK)).contains(Duration.ofNanos(2_810_000_001L));
        }

        @Test
        void readsImfFixdateRelativeToTheClock() {
            assertThat(RetryAfter.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", CLOCK)).contains(Duration.ofSeconds(60));
        }

        @Test
        void readsObsoleteRfc850Date() {
            assertThat(RetryAfter.parseRetryAfter("Wednesday, 21-Oct-15 07:28:00 GMT", CLOCK)).contains(Duration.ofSeconds(60));
        }

        @Test
        void rfc850YearsUpToFiftyYearsAheadStayInTheFuture() {
            assertThat(RetryAfter.parseRetryAfter("Thursday, 01-Jan-65 00:00:00 GMT", CLOCK))
                    .contains(Duration.between(CLOCK.instant(), Instant.parse("2065-01-01T00:00:00Z")));
        }

        @Test
        void rfc850YearsMoreThanFiftyYearsAheadMeanThePast() {
            // 1 January 1966 was a Saturday; 2066's was not, so only the past reading parses.
            assertThat(RetryAfter.parseRetryAfter("Saturday, 01-Jan-66 00:00:00 GMT", CLOCK)).contains(Duration.ZERO);
        }

        @Test
        void readsAsctimeDate() {
            assertThat(RetryAfter.parseRetryAfter("Wed Oct 21 07:28:00 2015", CLOCK)).contains(Duration.ofSeconds(60));
            assertThat(RetryAfter.parseRetryAfter("Fri Nov  6 08:49:37 2015", CLOCK))
                    .contains(Duration.between(CLOCK.instant(), Instant.parse("2015-11-06T08:49:37Z")));
        }

        @Test
        void aDateInThePastMeansNoWaitNotANegativeOne() {
            assertThat(RetryAfter.parseRetryAfter("Tue, 20 Oct 2015 07:28:00 GMT", CLOCK)).contains(Duration.ZERO);
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {
                " ", "-1", "-0.5", "+5", "1e3", "NaN", "Infinity", "abc", "5s", "1,5", ".5", "1.",
                "1234567890", "Thu, 21 Oct 2015 07:28:00 GMT", "21 Oct 2015 07:28", "Wed, 32 Oct 2015 07:28:00 GMT"
        })
        void ignoresInvalidValues(String value) {
            assertThat(RetryAfter.parseRetryAfter(value, CLOCK)).isEmpty();
        }
    }

    @Nested
    class GoDuration {

        @ParameterizedTest
        @CsvSource({
                "2m59.56s, 179560000000",
                "7.66s, 7660000000",
                "1h2m3s, 3723000000000",
                "120ms, 120000000",
                "0.5s, 500000000",
                "0, 0",
                "0s, 0",
                "+1s, 1000000000",
                "1.5h, 5400000000000",
                "500us, 500000",
                "500µs, 500000",
                "500μs, 500000",
                "10ns, 10",
                ".5s, 500000000",
                "5.s, 5000000000",
                "1m0.001s, 60001000000",
                "' 7.66s ', 7660000000"
        })
        void readsGoDurations(String value, long expectedNanos) {
            assertThat(RetryAfter.parseGoDuration(value)).contains(Duration.ofNanos(expectedNanos));
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {
                " ", "5", "s", "1x", "1s2", "-1s", "-0", "1 s", "1s 2m", "abc", "1.2.3s", ".s", ".", "1d",
                "1S", "99999999999h"
        })
        void ignoresInvalidOrNegativeDurations(String value) {
            assertThat(RetryAfter.parseGoDuration(value)).isEmpty();
        }
    }

    @Nested
    class Headers {

        @Test
        void takesTheLargestApplicableHint() {
            HttpHeaders headers = headers(
                    "retry-after", "3",
                    "x-ratelimit-reset-requests", "2m59.56s",
                    "x-ratelimit-reset-tokens", "7.66s");

            assertThat(RetryAfter.fromHeaders(headers, CLOCK)).contains(Duration.ofMillis(179_560));
        }

        @Test
        void ignoresTheResetOfALimitThatStillHasCapacity() {
            // Groq's documented example: tokens ran out, requests-per-day did not.
            HttpHeaders headers = headers(
                    "retry-after", "3",
                    "x-ratelimit-remaining-requests", "14370",
                    "x-ratelimit-remaining-tokens", "0",
                    "x-ratelimit-reset-requests", "2m59.56s",
                    "x-ratelimit-reset-tokens", "7.66s");

            assertThat(RetryAfter.fromHeaders(headers, CLOCK)).contains(Duration.ofMillis(7_660));
        }

        @Test
        void retryAfterWinsWhenItIsTheLongest() {
            HttpHeaders headers = headers(
                    "Retry-After", "30",
                    "X-RateLimit-Remaining-Tokens", "0",
                    "X-RateLimit-Reset-Tokens", "7.66s");

            assertThat(RetryAfter.fromHeaders(headers, CLOCK)).contains(Duration.ofSeconds(30));
        }

        @Test
        void usesTheValidHintsWhenOthersAreInvalid() {
            HttpHeaders headers = headers(
                    "retry-after", "soon",
                    "x-ratelimit-reset-requests", "-5s",
                    "x-ratelimit-reset-tokens", "1.25s");

            assertThat(RetryAfter.fromHeaders(headers, CLOCK)).contains(Duration.ofMillis(1_250));
        }

        @Test
        void emptyWithoutHints() {
            assertThat(RetryAfter.fromHeaders(headers("content-type", "application/json"), CLOCK)).isEmpty();
            assertThat(RetryAfter.fromHeaders(headers("retry-after", "later"), CLOCK)).isEmpty();
        }
    }

    static HttpHeaders headers(String... namesAndValues) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], List.of(namesAndValues[i + 1]));
        }
        return HttpHeaders.of(map, (name, value) -> true);
    }
}
