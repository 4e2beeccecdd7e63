package dev.agenttasks.domain.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;

/**
 * What a task asks a model: a system prompt, earlier turns of the conversation (oldest first) and the task itself,
 * which is sent last as a user message.
 *
 * @param system  the system prompt; empty sends none
 * @param history earlier turns, oldest first, each {@code user} or {@code assistant}
 * @param task    the task text
 */
public record Conversation(String system, List<ChatMessage> history, String task) {

    public static final Set<String> HISTORY_ROLES = Set.of("user", "assistant");

    public Conversation {
        system = system == null ? "" : system;
        history = List.copyOf(history);
        Objects.requireNonNull(task, "task");
        for (int i = 0; i < history.size(); i++) {
            ChatMessage message = history.get(i);
            if (!HISTORY_ROLES.contains(message.role()) || message.content() == null) {
                throw new IllegalArgumentException("history[" + i + "] must be a user or assistant message with "
                        + "content, got role " + message.role());
            }
        }
    }

    /** A task with a system prompt and no history. */
    public static Conversation of(String system, String task) {
        return new Conversation(system, List.of(), task);
    }

    /** Every message as it would be sent: the system prompt (if any), the history, then the task. */
    public List<ChatMessage> messages() {
        return messages(history);
    }

    /** The messages with only {@code keptHistory} between the system prompt and the task. */
    List<ChatMessage> messages(List<ChatMessage> keptHistory) {
        List<ChatMessage> messages = new ArrayList<>(keptHistory.size() + 2);
        if (!system.isEmpty()) {
            messages.add(ChatMessage.system(system));
        }
        messages.addAll(keptHistory);
        messages.add(ChatMessage.user(task));
        return List.copyOf(messages);
    }

    /** The messages that are always sent: the system prompt (if any) and the task. */
    List<ChatMessage> fixedMessages() {
        return messages(List.of());
    }
}
