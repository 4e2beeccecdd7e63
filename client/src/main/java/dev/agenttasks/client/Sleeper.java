package dev.agenttasks.client;

import java.time.Duration;

/** Waits between attempts and polls; tests replace it to drive time without sleeping. */
@FunctionalInterface
interface Sleeper {

    Sleeper THREAD = duration -> Thread.sleep(Math.max(0, duration.toMillis()));

    void sleep(Duration duration) throws InterruptedException;
}
