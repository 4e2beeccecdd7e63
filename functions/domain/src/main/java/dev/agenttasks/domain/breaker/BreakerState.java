package dev.agenttasks.domain.breaker;

/** A breaker's state as callers see it. */
public enum BreakerState {
    /** Calls go through; transient failures are counted. */
    CLOSED,
    /** Calls are held until the open time ends. */
    OPEN,
    /** The open time has ended: one worker's call probes the provider (or may start one), the rest are held. */
    HALF_OPEN
}
