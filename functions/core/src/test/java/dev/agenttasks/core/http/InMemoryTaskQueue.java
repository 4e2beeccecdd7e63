package dev.agenttasks.core.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.agenttasks.core.port.TaskQueue;

/** A thread-safe {@link TaskQueue} that records what was sent, and can be told to refuse sends. */
final class InMemoryTaskQueue implements TaskQueue {

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;

    @Override
    public void enqueue(String taskId) {
        if (refusing) {
            throw new IllegalStateException("queue refused the message");
        }
        sent.add(taskId);
    }

    void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    List<String> sent() {
        return List.copyOf(sent);
    }
}
