package dev.agenttasks.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A clock the tests move, and a {@link Sleeper} that moves it instead of sleeping and records each wait. */
final class TestClock extends Clock {

    private volatile Instant now;
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private volatile Runnable onSleep = () -> { };

    TestClock(Instant start) {
        this.now = start;
    }

    /** Runs before each sleep returns, e.g. to change the server's state at the n-th poll. */
    void onSleep(Runnable action) {
        this.onSleep = action;
    }

    Sleeper sleeper() {
        return duration -> {
            sleeps.add(duration);
            now = now.plus(duration);
            onSleep.run();
        };
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
