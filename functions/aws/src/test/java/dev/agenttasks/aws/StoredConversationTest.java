package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;

class StoredConversationTest {

    /** What Jackson's ObjectMapper wrote for the conversation below before the functions' own codec: the same bytes. */
    private static final String AS_STORED = "{\"system\":\"be brief\\n\",\"history\":[{\"role\":\"user\",\"content\":"
            + "\"caf\u00e9 \\uD83D\\uDE00 \\\"q\\\"\"},{\"role\":\"assistant\",\"content\":\"\\u0001\"}]}";
    private static final List<ChatMessage> HISTORY = List.of(new ChatMessage("user", "caf\u00e9 \ud83d\ude00 \"q\""),
            new ChatMessage("assistant", "\u0001"));

    @Test
    void aConversationIsWrittenAsBefore() throws IOException {
        assertThat(gunzip(StoredConversation.encode("be brief\n", HISTORY))).isEqualTo(AS_STORED);
    }

    @Test
    void aConversationStoredBeforeIsReadBack() throws IOException {
        StoredConversation read = StoredConversation.decode(gzip(AS_STORED));

        assertThat(read).isEqualTo(new StoredConversation("be brief\n", HISTORY));
    }

    @Test
    void aConversationWithoutSystemPromptOrHistoryRoundTrips() {
        assertThat(StoredConversation.decode(StoredConversation.encode(null, List.of())))
                .isEqualTo(new StoredConversation(null, List.of()));
        assertThat(StoredConversation.decode(StoredConversation.encode(null, HISTORY)))
                .isEqualTo(new StoredConversation(null, HISTORY));
    }

    private static String gunzip(byte[] gzipped) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] gzip(String json) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
