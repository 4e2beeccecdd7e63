package dev.agenttasks.client;

import java.time.Duration;
import java.util.Optional;

/** A task was not terminal when the await's deadline passed; the task itself goes on. */
public final class AwaitTimeoutException extends AgentTasksException {

    private final String taskId;
    private final transient TaskView lastSeen;

    public AwaitTimeoutException(String taskId, Duration timeout, TaskView lastSeen) {
        super("task " + taskId + " was still " + (lastSeen == null ? "not seen" : lastSeen.status().value())
                + " after " + timeout, null);
        this.taskId = taskId;
        this.lastSeen = lastSeen;
    }

    public String taskId() {
        return taskId;
    }

    /** The last view read before the deadline, if any read succeeded. */
    public Optional<TaskView> lastSeen() {
        return Optional.ofNullable(lastSeen);
    }
}
