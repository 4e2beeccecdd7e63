package dev.agenttasks.domain.logging;

import org.slf4j.MDC;

/**
 * The task a log line is about, as the {@value #TASK_ID} field of every line written while it is set (the JSON
 * lines in Lambda carry it; see docs/observability.md). The handlers set it around each record and request;
 * code that learns a task id later (a submission choosing one) adds it with {@link #putTaskId}, and the
 * handler's invocation scope clears it.
 */
public final class LogContext {

    public static final String TASK_ID = "task_id";

    private LogContext() {
    }

    /** Sets the task id until the returned scope closes, then puts back what was there. */
    public static Scope taskId(String taskId) {
        String previous = MDC.get(TASK_ID);
        putTaskId(taskId);
        return () -> {
            if (previous == null) {
                MDC.remove(TASK_ID);
            } else {
                MDC.put(TASK_ID, previous);
            }
        };
    }

    /** Sets the task id for the rest of the current invocation (the handler's scope clears it). */
    public static void putTaskId(String taskId) {
        if (taskId == null || taskId.isBlank()) {
            MDC.remove(TASK_ID);
        } else {
            MDC.put(TASK_ID, taskId);
        }
    }

    /** A scope that closes without checked exceptions. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
