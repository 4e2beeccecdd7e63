package dev.agenttasks.domain.submit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agenttasks.domain.logging.LogContext;
import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.domain.port.IdempotencyStore.KeyRecord;
import dev.agenttasks.domain.port.TaskQueue;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskStatus;

/**
 * Accepts a task: stores it (one conditional put), then sends its id to the queue.
 * With an idempotency key, one conditional write binds the key to a task id first; every
 * duplicate resolves to that task, and a task stored but never enqueued is enqueued on replay.
 */
public final class SubmitTaskService {

    private static final Logger LOG = LoggerFactory.getLogger(SubmitTaskService.class);

    /** How long the submission that stored a task has to send its message before a replay may. */
    public static final Duration ENQUEUE_GRACE = Duration.ofSeconds(30);

    private final TaskRepository tasks;
    private final IdempotencyStore keys;
    private final TaskQueue queue;
    private final Clock clock;
    private final Duration keyTtl;
    private final Duration retention;

    public SubmitTaskService(TaskRepository tasks, IdempotencyStore keys, TaskQueue queue, Clock clock,
                             Duration keyTtl, Duration retention) {
        this.tasks = tasks;
        this.keys = keys;
        this.queue = queue;
        this.clock = clock;
        this.keyTtl = keyTtl;
        this.retention = retention;
    }

    public SubmitResult submit(String caller, SubmitCommand command) {
        Instant now = clock.instant();
        if (command.idempotencyKey().isEmpty()) {
            Task task = newTask(TaskIds.newId(), caller, command, now);
            LogContext.putTaskId(task.id());
            tasks.createIfAbsent(task).ifPresent(clash -> {
                throw new IllegalStateException("task id collision on a fresh random id");
            });
            send(task.id(), now);
            return new SubmitResult(task, false);
        }
        String key = command.idempotencyKey().get();
        KeyRecord candidate = new KeyRecord(TaskIds.newId(), command.fingerprint(), now, now.plus(keyTtl));
        Optional<KeyRecord> existing = keys.bindIfAbsent(caller, key, candidate, now);
        LogContext.putTaskId(existing.map(KeyRecord::taskId).orElse(candidate.taskId()));
        if (existing.isEmpty()) {
            Task task = newTask(candidate.taskId(), caller, command, now);
            Optional<Task> raced = tasks.createIfAbsent(task);
            if (raced.isPresent()) {
                return new SubmitResult(raced.get(), true);
            }
            send(task.id(), now);
            return new SubmitResult(task, false);
        }
        KeyRecord bound = existing.get();
        if (!bound.fingerprint().equals(command.fingerprint())) {
            throw new IdempotencyKeyReusedException();
        }
        return new SubmitResult(replay(bound, caller, command, now), true);
    }

    /** The bound task as it is now; created and enqueued if the original submission died half-way. */
    private Task replay(KeyRecord bound, String caller, SubmitCommand command, Instant now) {
        Optional<Task> found = tasks.find(bound.taskId());
        if (found.map(t -> t.isExpired(now)).orElse(!now.isBefore(bound.createdAt().plus(retention)))) {
            // Unreachable while keys expire before their tasks (Config checks it); never re-run an expired task.
            throw new TaskExpiredException(bound.taskId());
        }
        if (found.isEmpty()) {
            Task task = newTask(bound.taskId(), caller, command, now);
            Optional<Task> raced = tasks.createIfAbsent(task);
            if (raced.isPresent()) {
                return raced.get();
            }
            LOG.warn("replay of idempotency key recreated task {} that its first submission never stored", task.id());
            send(task.id(), now);
            return task;
        }
        Task task = found.get();
        if (task.status() == TaskStatus.PENDING && task.enqueuedAt() == null
                && tasks.claimEnqueue(task.id(), now, now.minus(ENQUEUE_GRACE))) {
            LOG.warn("replay enqueues task {} whose first submission never sent it", task.id());
            send(task.id(), now);
        }
        return task;
    }

    private Task newTask(String id, String caller, SubmitCommand command, Instant now) {
        return new Task.Builder(id, caller, command.task(), now)
                .maxTokens(command.maxTokens())
                .system(command.system())
                .history(command.history())
                .routing(command.routing())
                .maxTotalTokens(command.maxTotalTokens())
                .callbackUrl(command.callbackUrl())
                .expiresAt(now.plus(retention))
                .build();
    }

    /**
     * Sends the message and records it. A failed send leaves the task pending, un-enqueued and due at once,
     * where a keyed replay or the reconciler's next run picks it up; the task is never lost, so the caller
     * still gets 202.
     */
    private void send(String taskId, Instant now) {
        try {
            queue.enqueue(taskId);
        } catch (RuntimeException e) {
            LOG.error("task {} stored but not enqueued; the reconciler will enqueue it", taskId, e);
            try {
                tasks.markSendFailed(taskId, now);
            } catch (RuntimeException again) {
                LOG.warn("task {}: could not make it due at once; the reconciler sends it when it falls due", taskId, again);
            }
            return;
        }
        try {
            tasks.markEnqueued(taskId, now);
        } catch (RuntimeException e) {
            LOG.warn("task {} enqueued but the send was not recorded", taskId, e);
        }
    }
}
