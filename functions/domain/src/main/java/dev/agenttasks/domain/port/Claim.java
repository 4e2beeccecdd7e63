package dev.agenttasks.domain.port;

import java.time.Instant;

import dev.agenttasks.domain.task.Task;

/** What {@link TaskRepository#claim} did: exactly one of these. */
public sealed interface Claim {

    /** The task is now running under the caller's lease; one attempt was counted. */
    record Claimed(Task task) implements Claim {
    }

    /** The task is pending but its retry time has not come: its message arrived early and must come back. */
    record NotDue(Task task, Instant retryAt) implements Claim {
    }

    /** The task is finished, or running under another worker's live lease. */
    record Refused(Task task) implements Claim {
    }

    /** No such task: its message names nothing stored. */
    record NotFound() implements Claim {
    }
}
