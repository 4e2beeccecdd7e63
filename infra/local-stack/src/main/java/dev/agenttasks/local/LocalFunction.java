package dev.agenttasks.local;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.amazonaws.services.lambda.runtime.RequestHandler;

/**
 * A function of the template, run in-process: its handler, Timeout and MemorySize. An invocation ends at the
 * Timeout as in Lambda: the caller gets {@link TimedOut} at once, the handler's thread is interrupted so it
 * stops working, and whatever it returns later is dropped (Lambda ends the sandbox instead; a handler that
 * ignores the interrupt keeps its thread until it returns).
 */
final class LocalFunction<I, O> {

    /** The invocation passed the function's Timeout; its result, if any ever comes, is ignored. */
    static final class TimedOut extends RuntimeException {
        TimedOut(String functionName, int timeoutSeconds) {
            super(functionName + ": Task timed out after " + timeoutSeconds + " seconds");
        }
    }

    private final String name;
    private final RequestHandler<I, O> handler;
    private final int timeoutSeconds;
    private final int memoryMb;
    private final ExecutorService sandboxes;

    LocalFunction(String name, RequestHandler<I, O> handler, int timeoutSeconds, int memoryMb) {
        this.name = name;
        this.handler = handler;
        this.timeoutSeconds = timeoutSeconds;
        this.memoryMb = memoryMb;
        AtomicInteger count = new AtomicInteger();
        this.sandboxes = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "function-" + name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    String name() {
        return name;
    }

    RequestHandler<I, O> handler() {
        return handler;
    }

    int timeoutSeconds() {
        return timeoutSeconds;
    }

    int memoryMb() {
        return memoryMb;
    }

    /**
     * Runs the handler on a thread of its own and waits until the context's deadline.
     *
     * @throws TimedOut when the Timeout passed first (the handler's thread has been interrupted)
     */
    O invoke(I input) {
        LocalLambdaContext context = context();
        Future<O> running = sandboxes.submit(() -> handler.handleRequest(input, context));
        try {
            return running.get(context.getRemainingTimeInMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            throw new TimedOut(name, timeoutSeconds);
        } catch (InterruptedException e) {
            running.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": the invoker was interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(name + " failed", cause);
        }
    }

    LocalLambdaContext context() {
        return new LocalLambdaContext(name, timeoutSeconds, memoryMb);
    }
}
