package dev.agenttasks.localaws;

import java.util.Map;

/** What {@link LocalProvisioner} made: table names and queues by template logical id. */
public record LocalResources(Map<String, String> tables, Map<String, Queue> queues) {

    public LocalResources {
        tables = Map.copyOf(tables);
        queues = Map.copyOf(queues);
    }

    public String table(String logicalId) {
        String name = tables.get(logicalId);
        if (name == null) {
            throw new IllegalArgumentException("template declares no table " + logicalId);
        }
        return name;
    }

    public Queue queue(String logicalId) {
        Queue queue = queues.get(logicalId);
        if (queue == null) {
            throw new IllegalArgumentException("template declares no queue " + logicalId);
        }
        return queue;
    }

    /** The resource variables the functions read (dev.agenttasks.config.Variable), for these resources. */
    public Map<String, String> environment() {
        return Map.of(
                "TASKS_TABLE", table("TasksTable"),
                "BREAKER_TABLE", table("BreakerTable"),
                "TASK_QUEUE_URL", queue("TaskQueue").url(),
                "TASK_DLQ_URL", queue("TaskDLQ").url(),
                "CALLBACK_QUEUE_URL", queue("CallbackQueue").url());
    }

    public record Queue(String name, String url, String arn, int visibilityTimeoutSeconds) {
    }
}
