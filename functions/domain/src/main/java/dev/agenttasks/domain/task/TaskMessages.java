package dev.agenttasks.domain.task;

import java.util.Optional;

import dev.agenttasks.json.JsonReadException;
import dev.agenttasks.json.JsonReader;
import dev.agenttasks.json.JsonValue;

/** The queue message body: {@code {"taskId": "<id>"}}. */
public final class TaskMessages {

    private TaskMessages() {
    }

    public static String body(String taskId) {
        return "{\"taskId\":\"" + taskId + "\"}";
    }

    /** The task id of a message body, or empty when the body is not a well-formed task message. */
    public static Optional<String> taskId(String body) {
        if (body == null) {
            return Optional.empty();
        }
        try {
            JsonValue id = JsonReader.tolerant().read(body).path("taskId");
            return id.isString() && TaskIds.isWellFormed(id.asText()) ? Optional.of(id.asText()) : Optional.empty();
        } catch (JsonReadException e) {
            return Optional.empty();
        }
    }
}
