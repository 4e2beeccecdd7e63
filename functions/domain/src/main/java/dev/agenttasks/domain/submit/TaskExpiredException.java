package dev.agenttasks.domain.submit;

/** A replayed idempotency key names a task past its retention: it answers as a read of that task would. */
public class TaskExpiredException extends RuntimeException {

    private final String taskId;

    public TaskExpiredException(String taskId) {
        super("task " + taskId + " is past its retention", null, false, false);
        this.taskId = taskId;
    }

    public String taskId() {
        return taskId;
    }
}
