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
 * With an idempotency key, the first task a key creates has an id derived from the caller and the key, and carries
 * the key's binding: its one conditional put decides the key too. Every duplicate resolves to that task, and a task
 * stored but never enqueued is enqueued on replay. A key used again after its binding expired is bound by the
 * idempotency store, as a second write, to a task with a random id.
 */
public final class SubmitTaskService {

    private static final Logger LOG = LoggerFactory.getLogger(SubmitTaskService.class);

    /** How long the submission that stored a task has to send its message before a replay may. */
    public static final Duration ENQUEUE_GRACE = Duration.ofSeconds(30);
    /** Rounds of a keyed submission that found the key's first task changing under it (replaced, retained). */
    private static final int KEYED_ROUNDS = 3;

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
        for (int round = 0; round < KEYED_ROUNDS; round++) {
            Optional<SubmitResult> result = submitKeyed(caller, key, command, now);
            if (result.isPresent()) {
                return result.get();
            }
        }
        throw new IllegalStateException("the task of an idempotency key kept changing during its submission");
    }

    /**
     * The key's first task (derived id): created, or replayed while the binding stored on it lives. Once that binding
     * has expired, the key is bound again through the idempotency store; the first task is then retained at least as
     * long as the new binding, so its id cannot be taken by a new task while the new binding lives. Empty: the first
     * task changed meanwhile, look again.
     */
    private Optional<SubmitResult> submitKeyed(String caller, String key, SubmitCommand command, Instant now) {
        String id = TaskIds.forKey(caller, key);
        LogContext.putTaskId(id);
        Task task = newTask(id, caller, command, now);
        Optional<TaskRepository.BoundTask> stored = tasks.createBound(task,
                new KeyRecord(id, command.fingerprint(), now, now.plus(keyTtl)), now);
        if (stored.isEmpty()) {
            send(id, now);
            return Optional.of(new SubmitResult(task, false));
        }
        Task first = stored.get().task();
        Optional<KeyRecord> live = stored.get().binding().filter(binding -> now.isBefore(binding.expiresAt()));
        if (live.isPresent()) {
            if (!live.get().fingerprint().equals(command.fingerprint())) {
                throw new IdempotencyKeyReusedException();
            }
            if (first.isExpired(now)) {
                // Unreachable while keys expire before their tasks (Config checks it); never re-run an expired task.
                throw new TaskExpiredException(id);
            }
            return Optional.of(new SubmitResult(sendIfNeverSent(first, now), true));
        }
        Instant rebindingEnds = now.plus(keyTtl).plusSeconds(1);
        if (first.expiresAt() != null && first.expiresAt().isBefore(rebindingEnds)
                && !tasks.retainUntil(id, first.createdAt(), rebindingEnds)) {
            return Optional.empty();
        }
        return Optional.of(rebind(caller, key, command, now));
    }

    /** A key used again after the binding on its first task expired: bound by the idempotency store (as before). */
    private SubmitResult rebind(String caller, String key, SubmitCommand command, Instant now) {
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
        return replay(bound, caller, command, now);
    }

    /**
     * The bound task as it is now; created and enqueued if it is not stored yet (its binder died half-way, or is
     * just about to store it): then this submission is the one that created it, and says so.
     */
    private SubmitResult replay(KeyRecord bound, String caller, SubmitCommand command, Instant now) {
        Optional<Task> found = tasks.find(bound.taskId());
        if (found.map(t -> t.isExpired(now)).orElse(!now.isBefore(bound.createdAt().plus(retention)))) {
            // Unreachable while keys expire before their tasks (Config checks it); never re-run an expired task.
            throw new TaskExpiredException(bound.taskId());
        }
        if (found.isEmpty()) {
            Task task = newTask(bound.taskId(), caller, command, now);
            Optional<Task> raced = tasks.createIfAbsent(task);
            if (raced.isPresent()) {
                return new SubmitResult(raced.get(), true);
            }
            LOG.info("replay of an idempotency key stored its task {}, which its binder had not stored", task.id());
            send(task.id(), now);
            return new SubmitResult(task, false);
        }
        return new SubmitResult(sendIfNeverSent(found.get(), now), true);
    }

    /**
     * A replayed task as it is; sent again if it is pending, no worker has received a message of it, and its
     * creator's grace to send it has passed (behind a conditional claim, so concurrent replays send once).
     */
    private Task sendIfNeverSent(Task task, Instant now) {
        if (task.status() == TaskStatus.PENDING && task.enqueuedAt() == null
                && tasks.claimEnqueue(task.id(), now, now.minus(ENQUEUE_GRACE))) {
            LOG.warn("replay sends task {}: no worker has received a message of it since its creator's grace", task.id());
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
     * Sends the message. A sent message is not recorded by a write of its own (the worker's claim records that
     * one arrived). A failed send leaves the task pending and due at once, where a keyed replay or the
     * reconciler's next run picks it up; the task is never lost, so the caller still gets 202.
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
        }
    }
}
