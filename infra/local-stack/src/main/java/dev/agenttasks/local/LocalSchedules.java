package dev.agenttasks.local;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.joda.time.DateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

/** Runs scheduled functions (EventBridge {@code rate(...)} schedules) on a timer, with a Scheduled Event. */
final class LocalSchedules implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSchedules.class);
    /** The first run comes soon after start, so work left by a previous run is picked up quickly. */
    static final long FIRST_RUN_AFTER_SECONDS = 5;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "schedules");
        thread.setDaemon(true);
        return thread;
    });

    @SuppressWarnings({"unchecked", "rawtypes"})
    void every(long seconds, LocalFunction<?, ?> function) {
        LocalFunction raw = function;
        boolean wantsScheduledEvent = inputType(function).isAssignableFrom(ScheduledEvent.class);
        timer.scheduleWithFixedDelay(() -> {
            try {
                Object result = raw.invoke(wantsScheduledEvent ? scheduledEvent(function.name()) : Map.of(
                        "source", "aws.events", "detail-type", "Scheduled Event"));
                LOG.debug("{} ran: {}", function.name(), result);
            } catch (RuntimeException e) {
                LOG.error("{} failed", function.name(), e);
            }
        }, Math.min(FIRST_RUN_AFTER_SECONDS, seconds), seconds, TimeUnit.SECONDS);
        LOG.info("{} runs every {} s", function.name(), seconds);
    }

    private static Class<?> inputType(LocalFunction<?, ?> function) {
        Class<?> input = Object.class;
        for (Method method : function.handler().getClass().getMethods()) {
            if (method.getName().equals("handleRequest") && method.getParameterCount() == 2 && !method.isBridge()) {
                input = method.getParameterTypes()[0];
            }
        }
        return input;
    }

    private static ScheduledEvent scheduledEvent(String functionName) {
        ScheduledEvent event = new ScheduledEvent();
        event.setId(UUID.randomUUID().toString());
        event.setSource("aws.events");
        event.setDetailType("Scheduled Event");
        event.setAccount("000000000000");
        event.setRegion("us-east-1");
        event.setTime(new DateTime());
        event.setResources(List.of("arn:aws:events:us-east-1:000000000000:rule/" + functionName + "-schedule"));
        event.setDetail(Map.of());
        return event;
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(60, TimeUnit.SECONDS);
    }
}
