package dev.agenttasks.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Task;

/**
 * Waits, within one request, for a task to reach a state the caller wants: reads it again after 100 ms, then
 * backs off (doubling) to one read a second, so a 20 s wait costs about 25 reads and a task that finishes in a
 * second is seen within about 200 ms of it.
 */
public final class TaskWaiter {

    static final Duration FIRST_POLL = Duration.ofMillis(100);
    static final Duration MAX_POLL = Duration.ofSeconds(1);

    /** Waits out a poll interval; tests move their clock instead. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    private final TaskRepository tasks;
    private final Clock clock;
    private final Pause pause;

    public TaskWaiter(TaskRepository tasks, Clock clock, Pause pause) {
        this.tasks = tasks;
        this.clock = clock;
        this.pause = pause;
    }

    public static TaskWaiter sleeping(TaskRepository tasks, Clock clock) {
        return new TaskWaiter(tasks, clock, duration -> Thread.sleep(duration.toMillis()));
    }

    /**
     * The task once {@code done} holds for it, or as it is when {@code wait} runs out (or the task vanished);
     * starts from {@code current}, which is returned at once when it already satisfies {@code done}.
     */
    Task await(Task current, Duration wait, Predicate<Task> done) {
        Instant deadline = clock.instant().plus(wait);
        Duration interval = FIRST_POLL;
        Task latest = current;
        while (!done.test(latest)) {
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return latest;
            }
            try {
                pause.pause(interval.compareTo(left) < 0 ? interval : left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return latest;
            }
            Optional<Task> read = tasks.find(latest.id());
            if (read.isEmpty()) {
                return latest;
            }
            latest = read.get();
            interval = interval.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : interval.multipliedBy(2);
        }
        return latest;
    }
}
