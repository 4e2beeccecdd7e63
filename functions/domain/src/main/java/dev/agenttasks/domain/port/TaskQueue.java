package dev.agenttasks.domain.port;

/** The queue that hands task ids to workers. */
public interface TaskQueue {

    /** Sends {@code {"taskId": ...}}; throws if the queue did not accept it. */
    void enqueue(String taskId);
}
