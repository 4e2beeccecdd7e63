package dev.agenttasks.aws;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;

/**
 * A task's system prompt and history as stored: {@code {"system": ..., "history": [{"role", "content"}]}}, gzip
 * compressed. Conversations are text and shrink several times, which keeps long ones far from DynamoDB's 400 KB
 * item limit.
 */
record StoredConversation(String system, List<ChatMessage> history) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static byte[] encode(String system, List<ChatMessage> history) {
        ObjectNode root = JSON.createObjectNode();
        if (system != null) {
            root.put("system", system);
        }
        ArrayNode messages = root.putArray("history");
        for (ChatMessage message : history) {
            messages.addObject().put("role", message.role()).put("content", message.content());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            JSON.writeValue(gzip, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static StoredConversation decode(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            JsonNode root = JSON.readTree(in);
            List<ChatMessage> history = new ArrayList<>();
            for (JsonNode message : root.path("history")) {
                history.add(new ChatMessage(message.path("role").asText(), message.path("content").asText()));
            }
            return new StoredConversation(root.hasNonNull("system") ? root.get("system").asText() : null, history);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored conversation could not be read", e);
        }
    }
}
