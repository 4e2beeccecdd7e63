package dev.agenttasks.local;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs scheduled functions (EventBridge {@code rate(...)} schedules) on a timer. */
final class LocalSchedules implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSchedules.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "schedules");
        thread.setDaemon(true);
        return thread;
    });

    @SuppressWarnings({"unchecked", "rawtypes"})
    void every(long seconds, LocalFunction<?, ?> function) {
        LocalFunction raw = function;
        timer.scheduleWithFixedDelay(() -> {
            try {
                Object result = raw.invoke(Map.of("source", "aws.events", "detail-type", "Scheduled Event"));
                LOG.debug("{} ran: {}", function.name(), result);
            } catch (RuntimeException e) {
                LOG.error("{} failed", function.name(), e);
            }
        }, seconds, seconds, TimeUnit.SECONDS);
        LOG.info("{} runs every {} s", function.name(), seconds);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(60, TimeUnit.SECONDS);
    }
}
