package dev.agenttasks.domain.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskIdsTest {

    @Test
    void aKeysIdIsWellFormedAndTheSameEveryTime() {
        String id = TaskIds.forKey("iam:arn:aws:iam::123456789012:role/caller|AROAEXAMPLE", "4f7d1c2e-9b1a");

        assertThat(TaskIds.isWellFormed(id)).isTrue();
        assertThat(TaskIds.forKey("iam:arn:aws:iam::123456789012:role/caller|AROAEXAMPLE", "4f7d1c2e-9b1a")).isEqualTo(id);
    }

    @Test
    void aKeysIdDependsOnTheCallerAndTheKeyWithoutAmbiguity() {
        assertThat(TaskIds.forKey("iam:alice", "k")).isNotEqualTo(TaskIds.forKey("iam:bob", "k"));
        assertThat(TaskIds.forKey("iam:alice", "k1")).isNotEqualTo(TaskIds.forKey("iam:alice", "k2"));
        assertThat(TaskIds.forKey("ab", "c")).as("caller and key are length-prefixed").isNotEqualTo(TaskIds.forKey("a", "bc"));
    }

    @Test
    void randomIdsAreWellFormedAndDistinct() {
        assertThat(TaskIds.isWellFormed(TaskIds.newId())).isTrue();
        assertThat(TaskIds.newId()).isNotEqualTo(TaskIds.newId());
    }
}
