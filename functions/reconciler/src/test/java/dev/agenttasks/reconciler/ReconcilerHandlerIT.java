package dev.agenttasks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.testkit.MotoEnvironment;

/** The handler as Lambda (and the local stack) builds it: wiring from settings, one run per scheduled event. */
class ReconcilerHandlerIT {

    @Test
    void aScheduledEventRunsOnePassAndReturnsItsCounts() {
        Map<String, String> env = MotoEnvironment.fresh();
        Instant created = Instant.parse("2026-11-28T10:00:00Z");
        ServiceWiring wiring = new ServiceWiring(Config.of(env),
                Clock.fixed(created.plus(Duration.ofMinutes(16)), ZoneOffset.UTC));
        DynamoDbTaskRepository tasks = new DynamoDbTaskRepository(wiring.aws().dynamoDb(), wiring.config().tasksTable());
        tasks.createIfAbsent(Task.pending(TaskIds.newId(), "iam:alice", "never sent: its submission died", null, created,
                created.plus(Duration.ofDays(7))));

        Map<String, Object> summary = new ReconcilerHandler(wiring).handleRequest(new ScheduledEvent(), null);

        assertThat(summary).containsEntry("due", 1).containsEntry("enqueued", 1).containsEntry("errors", 0);
    }
}
