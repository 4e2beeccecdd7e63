package dev.agenttasks.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.StackWalker.Option;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.awscore.AwsExecutionAttribute;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Records the AWS calls that the Lambda handlers make during tests, for the least-privilege check
 * (infra/acceptance, {@code LeastPrivilegeIT}): service, operation, the resource named in the request (table and
 * index, queue URL, parameter name, model id) and the error code if the call failed, one JSON line per distinct call.
 *
 * <p>The SDK loads it into every client of a JVM that has the test kit on its class path
 * ({@code software/amazon/awssdk/global/handlers/execution.interceptors}). A call belongs to the handler class whose
 * code is on the stack when it is made, or else whose constructor built the client (a worker's heartbeat thread
 * calls through a client its handler built); calls of test code and of a handler's SnapStart priming (answered in
 * memory) are not recorded.
 *
 * <p>The lines go to the file named by the system property {@value #FILE_PROPERTY} (the parent pom gives each
 * module's surefire run and each of its failsafe JVMs their own under target/aws-calls/), emptied when the JVM
 * first writes.
 */
public final class AwsCallRecorder implements ExecutionInterceptor {

    public static final String FILE_PROPERTY = "agenttasks.awsCalls.file";
    /** The request fields that name a resource, in the services the functions use. */
    static final List<String> RESOURCE_FIELDS = List.of("TableName", "IndexName", "QueueUrl", "Name", "ModelId", "modelId");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();
    private static final Object FILE_LOCK = new Object();
    private static boolean truncated;

    private final Optional<String> builtBy = handlerOnStack();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        record(context.request(), attributes, null);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable error = context.exception();
        String code = error instanceof AwsServiceException service && service.awsErrorDetails() != null
                ? service.awsErrorDetails().errorCode() : error.getClass().getSimpleName();
        record(context.request(), attributes, code);
    }

    private void record(SdkRequest request, ExecutionAttributes attributes, String error) {
        if (primingOnStack()) {
            return;   // a handler's SnapStart priming: answered in memory, not the function at work
        }
        Optional<String> handler = handlerOnStack().or(() -> builtBy);
        Optional<Path> file = Optional.ofNullable(System.getProperty(FILE_PROPERTY)).map(Path::of);
        if (handler.isEmpty() || file.isEmpty()) {
            return;
        }
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("handler", handler.get());
        call.put("service", attributes.getAttribute(AwsExecutionAttribute.ENDPOINT_PREFIX));
        call.put("operation", attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
        call.put("region", String.valueOf(attributes.getAttribute(AwsExecutionAttribute.AWS_REGION)));
        Map<String, String> resource = new LinkedHashMap<>();
        for (String field : RESOURCE_FIELDS) {
            request.getValueForField(field, String.class).ifPresent(value -> resource.put(field, value));
        }
        // a batch call (BatchGetItem, BatchWriteItem) names its tables as the keys of RequestItems: one line each
        Set<?> batchTables = request.getValueForField("RequestItems", Map.class).map(Map::keySet).orElse(Set.of());
        if (batchTables.isEmpty()) {
            write(file.get(), call, resource, error);
        }
        for (Object table : batchTables) {
            Map<String, String> tableResource = new LinkedHashMap<>(resource);
            tableResource.put("TableName", String.valueOf(table));
            write(file.get(), call, tableResource, error);
        }
    }

    private static void write(Path file, Map<String, Object> call, Map<String, String> resource, String error) {
        Map<String, Object> line = new LinkedHashMap<>(call);
        line.put("resource", resource);
        line.put("error", error);
        try {
            String text = JSON.writeValueAsString(line);
            if (SEEN.add(text)) {
                append(file, text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void append(Path file, String line) throws IOException {
        synchronized (FILE_LOCK) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!truncated) {
                Files.deleteIfExists(file);
                truncated = true;
            }
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** Whether a handler's {@code prime} method (its SnapStart priming) is on the stack. */
    static boolean primingOnStack() {
        return StackWalker.getInstance(Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .anyMatch(frame -> frame.getMethodName().equals("prime") && isHandler(frame.getDeclaringClass())));
    }

    private static boolean isHandler(Class<?> type) {
        return RequestHandler.class.isAssignableFrom(type) || RequestStreamHandler.class.isAssignableFrom(type);
    }

    /** The innermost Lambda handler class on the current thread's stack. */
    static Optional<String> handlerOnStack() {
        return StackWalker.getInstance(Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(AwsCallRecorder::isHandler)
                .map(Class::getName)
                .findFirst());
    }
}
