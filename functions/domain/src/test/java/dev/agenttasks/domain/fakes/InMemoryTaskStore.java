package dev.agenttasks.domain.fakes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import dev.agenttasks.domain.port.CallbackAttempt;
import dev.agenttasks.domain.port.CancelRequest;
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.domain.port.LiveTaskIndex;
import dev.agenttasks.domain.port.TaskPage;
import dev.agenttasks.domain.port.TaskRepository;
import dev.agenttasks.domain.task.Callback;
import dev.agenttasks.domain.task.Progress;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskError;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.Waiting;

/**
 * The task store in memory, with the DynamoDB adapter's conditions, index and due times: every change is one
 * atomic {@code compute} on the task's entry, as every DynamoDB change is one conditional write. The same
 * contract suite ({@code TaskStoreContract}) runs against both.
 */
public final class InMemoryTaskStore implements TaskRepository, LiveTaskIndex {

    /** What the store keeps beside the task itself (in DynamoDB: attributes the domain never reads). */
    private record Entry(Task task, Instant dueAt, Instant enqueueClaimedAt) {
        Entry withTask(Task changed) {
            return new Entry(changed, dueAt, enqueueClaimedAt);
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** The idempotency key bindings stored on tasks (in DynamoDB: attributes of the task's item). */
    private final Map<String, IdempotencyStore.KeyRecord> bindings = new ConcurrentHashMap<>();

    @Override
    public Optional<Task> createIfAbsent(Task task) {
        AtomicReference<Task> existing = new AtomicReference<>();
        entries.compute(task.id(), (id, current) -> {
            if (current != null) {
                existing.set(current.task());
                return current;
            }
            Instant due = task.status().isTerminal() ? null : task.createdAt().plus(REQUEUE_AFTER);
            return new Entry(task, due, task.createdAt());
        });
        return Optional.ofNullable(existing.get());
    }

    @Override
    public Optional<BoundTask> createBound(Task task, IdempotencyStore.KeyRecord binding, Instant now) {
        AtomicReference<BoundTask> existing = new AtomicReference<>();
        entries.compute(task.id(), (id, current) -> {
            IdempotencyStore.KeyRecord stored = bindings.get(id);
            if (current != null && (!current.task().isExpired(now) || stored != null && now.isBefore(stored.expiresAt()))) {
                existing.set(new BoundTask(current.task(), Optional.ofNullable(stored)));
                return current;
            }
            bindings.put(id, binding);
            Instant due = task.status().isTerminal() ? null : task.createdAt().plus(REQUEUE_AFTER);
            return new Entry(task, due, task.createdAt());
        });
        return Optional.ofNullable(existing.get());
    }

    @Override
    public boolean retainUntil(String taskId, Instant createdAt, Instant until) {
        return update(taskId, e -> e.task().createdAt().equals(createdAt) && e.task().expiresAt() != null
                        && e.task().expiresAt().isBefore(until),
                e -> e.withTask(with(e.task()).expiresAt(until).build()));
    }

    @Override
    public Optional<Task> find(String taskId) {
        return Optional.ofNullable(entries.get(taskId)).map(Entry::task);
    }

    @Override
    public TaskPage listOwned(String owner, Optional<TaskStatus> status, int limit, Optional<TaskPage.Position> after) {
        Comparator<Task> newestFirst = Comparator.comparing(Task::createdAt).thenComparing(Task::id).reversed();
        List<Task> owned = entries.values().stream().map(Entry::task).filter(t -> t.owner().equals(owner))
                .sorted(newestFirst)
                .filter(t -> after.isEmpty() || newestFirst.compare(t, positionOf(after.get())) > 0)
                .toList();
        List<Task> page = new ArrayList<>();
        Task last = null;
        for (Task task : owned) {
            if (page.size() == limit) {
                break;
            }
            last = task;
            if (status.isEmpty() || status.get() == task.status()) {
                page.add(task);
            }
        }
        boolean more = last != null && owned.indexOf(last) < owned.size() - 1;
        return new TaskPage(page, more ? Optional.of(new TaskPage.Position(last.createdAt(), last.id())) : Optional.empty());
    }

    private static Task positionOf(TaskPage.Position position) {
        return Task.pending(position.taskId(), "", "", null, position.createdAt(), position.createdAt());
    }

    @Override
    public boolean claimEnqueue(String taskId, Instant now, Instant staleBefore) {
        return update(taskId, e -> e.task().status() == TaskStatus.PENDING && e.task().enqueuedAt() == null
                        && (e.enqueueClaimedAt() == null || e.enqueueClaimedAt().isBefore(staleBefore)),
                e -> new Entry(e.task(), e.dueAt(), now));
    }

    @Override
    public void markSendFailed(String taskId, Instant now) {
        update(taskId, e -> e.task().status() == TaskStatus.PENDING && e.task().enqueuedAt() == null,
                e -> new Entry(e.task(), now, e.enqueueClaimedAt()));
    }

    @Override
    public Claim claim(String taskId, String leaseOwner, Instant now, Duration lease) {
        AtomicReference<Claim> result = new AtomicReference<>(new Claim.NotFound());
        entries.computeIfPresent(taskId, (id, e) -> {
            Task t = e.task();
            boolean due = t.status() == TaskStatus.PENDING && (e.task().retryAt() == null || !e.task().retryAt().isAfter(now));
            boolean takeover = t.status() == TaskStatus.RUNNING && t.leaseExpiresAt() != null
                    && t.leaseExpiresAt().isBefore(now);
            if (!due && !takeover) {
                result.set(t.status() == TaskStatus.PENDING && e.task().retryAt() != null
                        ? new Claim.NotDue(t, e.task().retryAt()) : new Claim.Refused(t));
                return e;
            }
            Task claimed = with(t).status(TaskStatus.RUNNING).updatedAt(now).attempts(t.attempts() + 1)
                    .lease(leaseOwner, now.plus(lease)).retryAt(null).waiting(null)
                    .enqueuedAt(t.enqueuedAt() == null ? now : t.enqueuedAt()).build();
            result.set(new Claim.Claimed(claimed));
            return new Entry(claimed, now.plus(lease), e.enqueueClaimedAt());
        });
        return result.get();
    }

    @Override
    public boolean recordAttempt(String taskId, String leaseOwner, Instant now, Duration lease, Progress progress) {
        return fenced(taskId, leaseOwner, e -> new Entry(progressed(with(e.task()), progress).updatedAt(now)
                .attempts(e.task().attempts() + 1).lease(leaseOwner, now.plus(lease)).build(), now.plus(lease),
                e.enqueueClaimedAt()));
    }

    @Override
    public boolean renewLease(String taskId, String leaseOwner, Instant now, Duration lease) {
        return fenced(taskId, leaseOwner, e -> new Entry(with(e.task()).updatedAt(now).lease(leaseOwner, now.plus(lease))
                .build(), now.plus(lease), e.enqueueClaimedAt()));
    }

    @Override
    public boolean complete(String taskId, String leaseOwner, TaskOutcome outcome, Instant now) {
        return fenced(taskId, leaseOwner, e -> new Entry(with(e.task()).status(TaskStatus.COMPLETE).updatedAt(now)
                .outcome(outcome).retryAt(null).lease(null, null).build(), null, e.enqueueClaimedAt()));
    }

    @Override
    public boolean fail(String taskId, String leaseOwner, TaskError error, Long durationMs, Progress progress,
                        Instant now) {
        return fenced(taskId, leaseOwner, e -> new Entry(progressed(with(e.task()), progress).status(TaskStatus.FAILED).updatedAt(now)
                .error(error).durationMs(durationMs).lease(null, null).build(), null, e.enqueueClaimedAt()));
    }

    @Override
    public boolean release(String taskId, String leaseOwner, Instant now, Instant retryAt, boolean refundAttempt,
                           Waiting waiting, Progress progress) {
        return fenced(taskId, leaseOwner, e -> new Entry(progressed(with(e.task()), progress).status(TaskStatus.PENDING).updatedAt(now)
                .lease(null, null).retryAt(retryAt).waiting(waiting)
                .attempts(e.task().attempts() - (refundAttempt ? 1 : 0)).build(),
                retryAt.plus(REQUEUE_AFTER), e.enqueueClaimedAt()));
    }

    @Override
    public CancelRequest requestCancel(String taskId, String owner, Instant now) {
        AtomicReference<CancelRequest> result = new AtomicReference<>(new CancelRequest.NotFound());
        entries.computeIfPresent(taskId, (id, e) -> {
            Task t = e.task();
            if (!t.owner().equals(owner)) {
                return e;
            }
            if (t.status().isTerminal()) {
                result.set(new CancelRequest.AlreadyFinished(t));
                return e;
            }
            if (t.status() == TaskStatus.PENDING) {
                Task cancelled = with(t).status(TaskStatus.CANCELLED).updatedAt(now).cancelRequestedAt(now)
                        .retryAt(null).build();
                result.set(new CancelRequest.Cancelled(cancelled));
                return new Entry(cancelled, null, e.enqueueClaimedAt());
            }
            Task marked = t.cancelRequestedAt() != null ? t : with(t).cancelRequestedAt(now).build();
            result.set(new CancelRequest.Requested(marked));
            return e.withTask(marked);
        });
        return result.get();
    }

    @Override
    public boolean cancelIfRequested(String taskId, String leaseOwner, Instant now) {
        return update(taskId, e -> e.task().status() == TaskStatus.RUNNING && leaseOwner.equals(e.task().leaseOwner())
                        && e.task().cancelRequestedAt() != null,
                e -> new Entry(with(e.task()).status(TaskStatus.CANCELLED).updatedAt(now).lease(null, null).build(),
                        null, e.enqueueClaimedAt()));
    }

    @Override
    public List<DueTask> findDue(Instant now, int limit) {
        List<DueTask> due = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.dueAt() != null && !e.dueAt().isAfter(now)) {
                Task t = e.task();
                due.add(new DueTask(t.id(), t.status(), t.createdAt(), e.dueAt(), t.leaseExpiresAt(), t.enqueuedAt()));
            }
        }
        due.sort(Comparator.comparing(DueTask::dueAt));
        return due.size() <= limit ? due : List.copyOf(due.subList(0, Math.max(0, limit)));
    }

    @Override
    public boolean claimRedrive(String taskId, Instant seenDueAt, Instant now, Instant nextDueAt) {
        return update(taskId, e -> seenDueAt.equals(e.dueAt()) && (e.task().status() == TaskStatus.PENDING
                        || (e.task().status() == TaskStatus.RUNNING && e.task().leaseExpiresAt().isBefore(now))),
                e -> new Entry(e.task(), nextDueAt, now));
    }

    @Override
    public void markRedriven(String taskId, Instant claimedDueAt, Instant now) {
        update(taskId, e -> claimedDueAt.equals(e.dueAt()), e -> e.withTask(with(e.task()).enqueuedAt(now).build()));
    }

    @Override
    public boolean reschedule(String taskId, Instant seenDueAt, Instant dueAt) {
        return update(taskId, e -> seenDueAt.equals(e.dueAt()),
                e -> new Entry(e.task(), dueAt, e.enqueueClaimedAt()));
    }

    @Override
    public UnleasedFailure failUnleased(String taskId, TaskError error, Instant now) {
        AtomicReference<UnleasedFailure> result = new AtomicReference<>(UnleasedFailure.NOT_FOUND);
        entries.computeIfPresent(taskId, (id, e) -> {
            Task t = e.task();
            if (t.status().isTerminal()) {
                result.set(UnleasedFailure.ALREADY_TERMINAL);
                return e;
            }
            if (t.status() == TaskStatus.RUNNING && !t.leaseExpiresAt().isBefore(now)) {
                result.set(UnleasedFailure.LEASED);
                return e;
            }
            result.set(UnleasedFailure.FAILED);
            return new Entry(with(t).status(TaskStatus.FAILED).updatedAt(now).error(error).lease(null, null).build(),
                    null, e.enqueueClaimedAt());
        });
        return result.get();
    }

    @Override
    public boolean markCallbackOwed(String taskId, Instant dueAt) {
        return update(taskId, e -> e.task().status().isTerminal() && e.task().callbackUrl() != null
                        && e.task().callback() == null,
                e -> new Entry(with(e.task()).callback(Callback.owed()).build(), dueAt, e.enqueueClaimedAt()));
    }

    @Override
    public boolean recordCallbackAttempt(String taskId, CallbackAttempt attempt, Instant now) {
        return update(taskId, e -> e.task().callback() != null && !e.task().callback().isSettled(), e -> {
            Callback before = e.task().callback();
            Callback after;
            Instant dueAt = null;
            if (attempt instanceof CallbackAttempt.Delivered) {
                after = new Callback(Callback.Status.DELIVERED, before.attempts() + 1, before.lastError(), null);
            } else if (attempt instanceof CallbackAttempt.Retrying retrying) {
                after = new Callback(Callback.Status.PENDING, before.attempts() + 1, retrying.error(), retrying.nextAttemptAt());
                dueAt = retrying.dueAt();
            } else {
                CallbackAttempt.GaveUp gaveUp = (CallbackAttempt.GaveUp) attempt;
                after = new Callback(Callback.Status.FAILED, before.attempts() + (gaveUp.called() ? 1 : 0), gaveUp.error(), null);
            }
            return new Entry(with(e.task()).callback(after).build(), dueAt, e.enqueueClaimedAt());
        });
    }

    @Override
    public boolean claimCallbackRedrive(String taskId, Instant seenDueAt, Instant nextDueAt) {
        return update(taskId, e -> e.task().callback() != null && !e.task().callback().isSettled()
                        && seenDueAt.equals(e.dueAt()),
                e -> new Entry(e.task(), nextDueAt, e.enqueueClaimedAt()));
    }

    /** Puts a task as it is, e.g. one another caller owns or one already expired. */
    public void put(Task task) {
        entries.put(task.id(), new Entry(task, task.status().isTerminal() ? null
                : task.createdAt().plus(REQUEUE_AFTER), task.createdAt()));
    }

    public int size() {
        return entries.size();
    }

    /** The index entries: live tasks and owed webhooks, as DynamoDB's sparse index holds them. */
    public List<String> indexed() {
        return entries.values().stream().filter(e -> e.dueAt() != null).map(e -> e.task().id()).toList();
    }

    private boolean update(String taskId, java.util.function.Predicate<Entry> condition, UnaryOperator<Entry> change) {
        AtomicReference<Boolean> applied = new AtomicReference<>(false);
        entries.computeIfPresent(taskId, (id, e) -> {
            if (!condition.test(e)) {
                return e;
            }
            applied.set(true);
            return change.apply(e);
        });
        return applied.get();
    }

    private boolean fenced(String taskId, String leaseOwner, UnaryOperator<Entry> change) {
        return update(taskId, e -> e.task().status() == TaskStatus.RUNNING && leaseOwner.equals(e.task().leaseOwner())
                && e.task().cancelRequestedAt() == null, change);
    }

    private static Task.Builder progressed(Task.Builder task, Progress progress) {
        return progress == null ? task : task.progress(progress);
    }

    private static Task.Builder with(Task task) {
        return task.toBuilder();
    }
}
