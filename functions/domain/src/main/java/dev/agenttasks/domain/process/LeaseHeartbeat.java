package dev.agenttasks.domain.process;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agenttasks.domain.port.InFlightMessage;
import dev.agenttasks.domain.port.TaskRepository;

/**
 * Keeps the leases of the tasks a container is working on alive, and their queue messages hidden for as
 * long: every third of the lease, each lease is renewed and its message's visibility set to the lease plus a
 * small margin, so a crashed worker's message comes back when its lease runs out (also one that dies before the
 * first renewal: the message is hidden for the lease as the work starts, one SQS request, no DynamoDB write).
 *
 * <p>A renewal refused because the owner asked to cancel the task cancels it (one fenced write) and interrupts
 * the worker's thread, which stops its call or wait without another provider call.
 *
 * <p>One scheduler thread only times the ticks; each renewal runs on its own thread from a pool, so under a
 * slow store the renewals of many tasks proceed side by side instead of queueing behind each other, and a
 * renewal still in flight makes the next tick of the same lease skip rather than pile up. A lease is renewed
 * only until its {@link Lease#renewUntil} time: a call that outlives its budget loses its lease.
 */
public final class LeaseHeartbeat implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseHeartbeat.class);
    /** A message becomes visible this long after its lease would run out, so the next claim can take over. */
    public static final Duration VISIBILITY_MARGIN = Duration.ofSeconds(2);

    private final TaskRepository tasks;
    private final Clock clock;
    private final Duration lease;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(daemon("lease-tick"));
    private final ExecutorService renewals = Executors.newCachedThreadPool(daemon("lease-renewal"));

    public LeaseHeartbeat(TaskRepository tasks, Clock clock, Duration lease) {
        this.tasks = tasks;
        this.clock = clock;
        this.lease = lease;
    }

    /** How often each lease is renewed: a third of its length, at least every second. */
    public Duration period() {
        return Duration.ofMillis(Math.max(1_000, lease.toMillis() / 3));
    }

    /** Starts renewing {@code leaseOwner}'s lease on the task, and hides its message for the lease now. */
    public Lease start(String taskId, String leaseOwner, InFlightMessage message, Instant renewUntil) {
        Lease held = new Lease(taskId, leaseOwner, message, renewUntil);
        hide(held);
        long period = period().toMillis();
        held.ticking = ticks.scheduleAtFixedRate(() -> held.tick(), period, period, TimeUnit.MILLISECONDS);
        return held;
    }

    private void hide(Lease held) {
        try {
            if (!held.message.hideFor(lease.plus(VISIBILITY_MARGIN))) {
                LOG.warn("task {}: could not extend its message's visibility", held.taskId);
            }
        } catch (RuntimeException e) {
            LOG.warn("task {}: could not extend its message's visibility: {}", held.taskId, e.toString());
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        renewals.shutdownNow();
    }

    /** One lease being kept alive. */
    public final class Lease implements AutoCloseable {
        private final String taskId;
        private final String leaseOwner;
        private final InFlightMessage message;
        private final AtomicBoolean renewing = new AtomicBoolean();
        private volatile Instant renewUntil;
        private final Thread worker = Thread.currentThread();
        private volatile boolean lost;
        private volatile boolean cancelled;
        private volatile boolean stopped;
        private volatile ScheduledFuture<?> ticking;

        private Lease(String taskId, String leaseOwner, InFlightMessage message, Instant renewUntil) {
            this.taskId = taskId;
            this.leaseOwner = leaseOwner;
            this.message = message;
            this.renewUntil = renewUntil;
        }

        /** Renew no later than {@code until}: the end of the current call's or wait's budget. */
        public void renewUntil(Instant until) {
            this.renewUntil = until;
        }

        /** Whether a renewal found the lease taken over. */
        public boolean lost() {
            return lost;
        }

        /** Whether a renewal found a cancel request and cancelled the task (the worker was interrupted). */
        public boolean cancelled() {
            return cancelled;
        }

        private void tick() {
            if (stopped || lost) {
                return;
            }
            if (clock.instant().isAfter(renewUntil)) {
                LOG.warn("task {}: its call outlived its budget; the lease is no longer renewed", taskId);
                return;
            }
            if (!renewing.compareAndSet(false, true)) {
                return;   // the previous renewal is still in flight
            }
            try {
                renewals.execute(this::renew);
            } catch (RuntimeException e) {
                renewing.set(false);   // shut down
            }
        }

        private void renew() {
            try {
                if (stopped) {
                    return;
                }
                if (!tasks.renewLease(taskId, leaseOwner, clock.instant(), lease)) {
                    if (tasks.cancelIfRequested(taskId, leaseOwner, clock.instant())) {
                        cancelled = true;
                        LOG.info("task {}: cancelled by its owner; stopping its worker", taskId);
                        worker.interrupt();
                        return;
                    }
                    lost = true;
                    LOG.warn("task {}: lease lost while working on it; its result will be dropped", taskId);
                    return;
                }
                hide(this);
            } catch (RuntimeException e) {
                LOG.warn("task {}: lease renewal failed: {}", taskId, e.toString());
            } finally {
                renewing.set(false);
            }
        }

        /** Stops renewing; the lease then lives until its expiry unless a final write ends it first. */
        @Override
        public void close() {
            stopped = true;
            ScheduledFuture<?> scheduled = ticking;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
