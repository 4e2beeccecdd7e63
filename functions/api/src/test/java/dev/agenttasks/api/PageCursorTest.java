package dev.agenttasks.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.port.TaskPage;
import dev.agenttasks.domain.task.TaskIds;

class PageCursorTest {

    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final PageCursor cursors = new PageCursor("a cursor key of enough bytes".getBytes(StandardCharsets.UTF_8));
    private final TaskPage.Position position = new TaskPage.Position(Instant.parse("2026-01-01T00:00:00Z"), TaskIds.newId());

    @Test
    void anIntactCursorNamesItsPosition() {
        String cursor = cursors.encode("alice", Optional.empty(), position);

        assertThat(cursors.decode(cursor, "alice", Optional.empty())).contains(position);
    }

    @Test
    void everyOtherCharacterInEveryPlaceIsRefused() {
        String cursor = cursors.encode("alice", Optional.empty(), position);

        for (int i = 0; i < cursor.length(); i++) {
            for (char replacement : (BASE64URL + ".").toCharArray()) {
                if (replacement == cursor.charAt(i)) {
                    continue;
                }
                String changed = cursor.substring(0, i) + replacement + cursor.substring(i + 1);
                assertThat(cursors.decode(changed, "alice", Optional.empty())).as(changed).isEmpty();
            }
        }
    }
}
