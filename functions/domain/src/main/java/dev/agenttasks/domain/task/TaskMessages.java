package dev.agenttasks.domain.task;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;


/** The queue message body: {@code {"taskId": "<id>"}}. */
public final class TaskMessages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskMessages() {
    }

    public static String body(String taskId) {
        return "{\"taskId\":\"" + taskId + "\"}";
    }

    /** The task id of a message body, or empty when the body is not a well-formed task message. */
    public static Optional<String> taskId(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode id = node == null ? null : node.get("taskId");
            return id != null && id.isTextual() && TaskIds.isWellFormed(id.textValue())
                    ? Optional.of(id.textValue()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
