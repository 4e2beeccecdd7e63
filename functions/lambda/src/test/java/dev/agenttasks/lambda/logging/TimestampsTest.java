package dev.agenttasks.lambda.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TimestampsTest {

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static String utc(long millis) {
        StringBuilder out = new StringBuilder();
        Timestamps.appendUtc(out, millis);
        return out.toString();
    }

    @Test
    void theUtcTimestampIsWhatJavaTimeWritesAcrossLeapDaysCenturiesAndTheEpoch() {
        List<Long> instants = new ArrayList<>(List.of(0L, -1L, 1L, 86_399_999L, 86_400_000L,
                Instant.parse("2000-02-29T23:59:59.999Z").toEpochMilli(),
                Instant.parse("2100-03-01T00:00:00.000Z").toEpochMilli(),
                Instant.parse("1900-02-28T12:00:00.001Z").toEpochMilli(),
                Instant.parse("2026-12-31T23:59:59.999Z").toEpochMilli(),
                Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli()));
        Random random = new Random(20261203);
        for (int i = 0; i < 20_000; i++) {
            instants.add(random.nextLong() % 253_402_300_799_999L);
        }
        for (long millis : instants) {
            if (millis >= Instant.parse("0000-01-01T00:00:00Z").toEpochMilli()) {
                assertThat(utc(millis)).as("%d", millis).isEqualTo(UTC.format(Instant.ofEpochMilli(millis)));
            }
        }
    }

    @Test
    void theTimeOfDayIsHoursMinutesSecondsAndMillisZeroPadded() {
        StringBuilder out = new StringBuilder();
        Timestamps.appendTimeOfDay(out, 3_723_004);
        assertThat(out).hasToString("01:02:03.004");
    }
}
