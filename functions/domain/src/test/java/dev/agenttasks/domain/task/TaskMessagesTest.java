package dev.agenttasks.domain.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskMessagesTest {

    @Test
    void theTaskIdOfABodyIsReadBack() {
        String id = TaskIds.newId();

        assertThat(TaskMessages.taskId(TaskMessages.body(id))).contains(id);
        assertThat(TaskMessages.taskId(" {\"other\":1, \"taskId\":\"" + id + "\"} ")).contains(id);
    }

    @Test
    void aBodyThatIsNotAWellFormedTaskMessageHasNoTaskId() {
        assertThat(TaskMessages.taskId(null)).isEmpty();
        assertThat(TaskMessages.taskId("")).isEmpty();
        assertThat(TaskMessages.taskId("not json")).isEmpty();
        assertThat(TaskMessages.taskId("{\"taskId\":")).isEmpty();
        assertThat(TaskMessages.taskId("[\"" + TaskIds.newId() + "\"]")).isEmpty();
        assertThat(TaskMessages.taskId("{\"taskId\":42}")).isEmpty();
        assertThat(TaskMessages.taskId("{\"taskId\":\"not-an-id\"}")).isEmpty();
    }
}
