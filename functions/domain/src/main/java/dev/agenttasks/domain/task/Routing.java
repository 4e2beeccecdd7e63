package dev.agenttasks.domain.task;

import java.util.Objects;

/** The tier a task was routed to at submit, and why: a stable code and a sentence for people. */
public record Routing(String tier, String reasonCode, String reason) {

    public Routing {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(reasonCode, "reasonCode");
        Objects.requireNonNull(reason, "reason");
    }
}
