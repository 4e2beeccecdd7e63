package dev.agenttasks.aws;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import software.amazon.awssdk.awscore.AwsExecutionAttribute;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * A global execution interceptor of this module's tests (test resources' execution.interceptors): what it sees of
 * the SSM calls made in this JVM, as the test kit's AwsCallRecorder would see them.
 */
public final class SsmCallCapture implements ExecutionInterceptor {

    /** One call as an interceptor saw it; {@code error} is the AWS error code, or the exception's class name. */
    record Seen(String hook, String service, String operation, String region, String name, String error,
                Integer httpStatus) {
    }

    private static final Queue<Seen> SEEN = new ConcurrentLinkedQueue<>();

    static List<Seen> drain() {
        List<Seen> seen = List.copyOf(SEEN);
        SEEN.clear();
        return seen;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        add("before", context.request().getValueForField("Name", String.class).orElse(null), attributes, null, null);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        add("after", context.request().getValueForField("Name", String.class).orElse(null), attributes, null,
                context.httpResponse().statusCode());
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable error = context.exception();
        String code = error instanceof AwsServiceException service ? service.awsErrorDetails().errorCode()
                : error.getClass().getSimpleName();
        add("failure", context.request().getValueForField("Name", String.class).orElse(null), attributes, code,
                context.httpResponse().map(response -> response.statusCode()).orElse(null));
    }

    private static void add(String hook, String name, ExecutionAttributes attributes, String error, Integer status) {
        if ("ssm".equals(attributes.getAttribute(AwsExecutionAttribute.ENDPOINT_PREFIX))) {
            SEEN.add(new Seen(hook, attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME),
                    attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                    String.valueOf(attributes.getAttribute(AwsExecutionAttribute.AWS_REGION)), name, error, status));
        }
    }
}
