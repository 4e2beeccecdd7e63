package dev.agenttasks.lambda;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.MDC;

import com.amazonaws.services.lambda.runtime.Context;

/**
 * The log fields of one invocation: every line written while a handler runs carries the request id, the function
 * and whether this is the sandbox's first invocation (a cold start, or the first after a SnapStart restore). One per
 * handler instance, i.e. per sandbox.
 *
 * <pre>{@code
 * return invocationLog.around(context, () -> ...);
 * }</pre>
 */
public final class InvocationLog {

    public static final String REQUEST_ID = "aws_request_id";
    public static final String FUNCTION_NAME = "function_name";
    public static final String FUNCTION_VERSION = "function_version";
    public static final String COLD_START = "cold_start";
    public static final String TRACE_ID = "xray_trace_id";
    /** Where the Lambda Java runtime puts the invocation's X-Ray trace header. */
    static final String TRACE_HEADER_PROPERTY = "com.amazonaws.xray.traceHeader";

    private final AtomicBoolean invoked = new AtomicBoolean();

    /** Runs {@code body} with the invocation's log fields set; clears every field (task ids too) afterwards. */
    public <T> T around(Context context, Supplier<T> body) {
        boolean coldStart = !invoked.getAndSet(true);
        MDC.clear();
        if (context != null) {
            putIfPresent(REQUEST_ID, context.getAwsRequestId());
            putIfPresent(FUNCTION_NAME, context.getFunctionName());
            putIfPresent(FUNCTION_VERSION, context.getFunctionVersion());
        }
        MDC.put(COLD_START, Boolean.toString(coldStart));
        traceId().ifPresent(id -> MDC.put(TRACE_ID, id));
        try {
            return body.get();
        } finally {
            MDC.clear();
        }
    }

    /** {@code work} to run on another thread with the current thread's log fields (the worker's record pool). */
    public static <T> Callable<T> inCurrentContext(Callable<T> work) {
        Map<String, String> fields = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> before = MDC.getCopyOfContextMap();
            if (fields == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(fields);
            }
            try {
                return work.call();
            } finally {
                if (before == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(before);
                }
            }
        };
    }

    private static void putIfPresent(String key, String value) {
        if (value != null && !value.isBlank()) {
            MDC.put(key, value);
        }
    }

    /** The Root of the trace header, e.g. {@code 1-5759e988-bd862e3fe1be46a994272793}. */
    static Optional<String> traceId() {
        String header = System.getProperty(TRACE_HEADER_PROPERTY);
        if (header == null) {
            return Optional.empty();
        }
        for (String part : header.split(";")) {
            if (part.startsWith("Root=")) {
                return Optional.of(part.substring("Root=".length()));
            }
        }
        return Optional.empty();
    }
}
