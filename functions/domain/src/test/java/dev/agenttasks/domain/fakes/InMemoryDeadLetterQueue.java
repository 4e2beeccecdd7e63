package dev.agenttasks.domain.fakes;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.agenttasks.domain.port.DeadLetterQueue;

/** A dead-letter queue in memory: messages stay until deleted; a received one is not received again in the same run. */
public final class InMemoryDeadLetterQueue implements DeadLetterQueue {

    private final List<DeadLetter> messages = new ArrayList<>();
    private final List<DeadLetter> received = new ArrayList<>();

    public synchronized void add(String body) {
        String id = UUID.randomUUID().toString();
        messages.add(new DeadLetter(id, "handle-" + id, body));
    }

    @Override
    public synchronized List<DeadLetter> receive(int max) {
        List<DeadLetter> batch = new ArrayList<>();
        for (DeadLetter message : messages) {
            if (batch.size() < Math.min(max, 10) && !received.contains(message)) {
                batch.add(message);
            }
        }
        received.addAll(batch);
        return batch;
    }

    @Override
    public synchronized void delete(DeadLetter message) {
        messages.remove(message);
        received.remove(message);
    }

    /** Makes every message visible again (as after its visibility timeout). */
    public synchronized void visibilityTimeoutPassed() {
        received.clear();
    }

    public synchronized int size() {
        return messages.size();
    }
}
