package dev.agenttasks.domain.fakes;

import java.util.ArrayList;
import java.util.List;

import dev.agenttasks.domain.port.DependencyUnavailableException;
import dev.agenttasks.domain.port.TaskQueue;

/** The task queue in memory: records what was sent, and can be told to refuse sends. */
public final class InMemoryTaskQueue implements TaskQueue {

    private final List<String> sent = new ArrayList<>();
    private volatile boolean refusing;

    @Override
    public synchronized void enqueue(String taskId) {
        if (refusing) {
            throw new DependencyUnavailableException("queue refused the message", null);
        }
        sent.add(taskId);
    }

    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    public synchronized List<String> sent() {
        return List.copyOf(sent);
    }

    /** The messages sent so far, removed (as a consumer would). */
    public synchronized List<String> drain() {
        List<String> drained = new ArrayList<>(sent);
        sent.clear();
        return drained;
    }
}
