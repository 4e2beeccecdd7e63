package dev.agenttasks.domain.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class TaskErrorTest {

    @Test
    void messagesAreBuiltFromTheServicesOwnVocabulary() {
        assertThat(TaskError.providerRejected("http_413")).isEqualTo(new TaskError("provider_http_413",
                "the model provider rejected the request (HTTP 413)"));
        assertThat(TaskError.attemptsExhausted(5, Optional.of("connect_timeout")).message())
                .isEqualTo("the model provider did not answer after 5 attempts; last error: connect timeout");
        assertThat(TaskError.deadlineExceeded(Duration.ofHours(1), Optional.empty()).message())
                .isEqualTo("the task did not finish within 3600 s of its submission");
    }

    @Test
    void everyCodeBelongsToAReason() {
        assertThat(TaskError.providerRejected("http_400").reason()).isEqualTo(FailureReason.PROVIDER_REJECTED);
        assertThat(TaskError.attemptsExhausted(3, Optional.empty()).reason()).isEqualTo(FailureReason.ATTEMPTS_EXHAUSTED);
        assertThat(TaskError.deadlineExceeded(Duration.ofSeconds(10), Optional.empty()).reason())
                .isEqualTo(FailureReason.DEADLINE_EXCEEDED);
        assertThat(TaskError.deadLettered().reason()).isEqualTo(FailureReason.DEAD_LETTERED);
    }
}
