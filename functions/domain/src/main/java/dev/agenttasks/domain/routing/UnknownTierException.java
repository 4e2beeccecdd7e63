package dev.agenttasks.domain.routing;

import java.util.List;

/** A tier hint that names no configured tier; a 4xx for the caller, with the tiers it may name. */
public final class UnknownTierException extends IllegalArgumentException {

    private final String requested;
    private final List<String> allowed;

    public UnknownTierException(String requested, List<String> allowed) {
        super("unknown tier \"" + requested + "\"; configured tiers: " + String.join(", ", allowed));
        this.requested = requested;
        this.allowed = List.copyOf(allowed);
    }

    public String requested() {
        return requested;
    }

    public List<String> allowed() {
        return allowed;
    }
}
