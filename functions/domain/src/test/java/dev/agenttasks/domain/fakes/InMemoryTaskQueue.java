package dev.agenttasks.domain.fakes;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.agenttasks.domain.port.TaskQueue;

/** A thread-safe {@link TaskQueue} that records what was sent, and can be told to refuse sends. */
public final class InMemoryTaskQueue implements TaskQueue {

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;

    @Override
    public void enqueue(String taskId) {
        if (refusing) {
            throw new IllegalStateException("queue refused the message");
        }
        sent.add(taskId);
    }

    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    public List<String> sent() {
        return List.copyOf(sent);
    }
}
