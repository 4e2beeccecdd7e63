package dev.agenttasks.aws;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import dev.agenttasks.json.JsonReader;
import dev.agenttasks.json.JsonValue;
import dev.agenttasks.json.JsonWriter;

/**
 * A task's system prompt and history as stored: {@code {"system": ..., "history": [{"role", "content"}]}}, gzip
 * compressed. Conversations are text and shrink several times, which keeps long ones far from DynamoDB's 400 KB
 * item limit.
 */
record StoredConversation(String system, List<ChatMessage> history) {

    static byte[] encode(String system, List<ChatMessage> history) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (system != null) {
            root.put("system", system);
        }
        List<Map<String, String>> messages = new ArrayList<>();
        for (ChatMessage message : history) {
            Map<String, String> turn = new LinkedHashMap<>();
            turn.put("role", message.role());
            turn.put("content", message.content());
            messages.add(turn);
        }
        root.put("history", messages);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            JsonWriter.compact().write(root, gzip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static StoredConversation decode(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            JsonValue root = JsonReader.tolerant().read(in);
            List<ChatMessage> history = new ArrayList<>();
            for (JsonValue message : root.path("history").elements()) {
                history.add(new ChatMessage(message.path("role").asText(), message.path("content").asText()));
            }
            JsonValue system = root.path("system");
            return new StoredConversation(system.isMissingOrNull() ? null : system.asText(), history);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored conversation could not be read", e);
        }
    }
}
