package dev.agenttasks.domain.port;

import java.util.List;

/** Where task messages go after too many receives: read by the reconciler, which accounts for each. */
public interface DeadLetterQueue {

    /** Up to {@code max} messages (at most 10), hidden from other readers for a while; empty when none wait. */
    List<DeadLetter> receive(int max);

    /** Removes a message that has been accounted for. */
    void delete(DeadLetter message);

    /** One dead-lettered message: its id, the handle to delete it with, and its body. */
    record DeadLetter(String messageId, String receiptHandle, String body) {
    }
}
