package dev.agenttasks.testkit;

import java.util.function.LongSupplier;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

/** A Lambda {@link Context} for tests: a fixed request id and the remaining time the test chooses. */
public final class TestContext implements Context {

    private final LongSupplier remainingMillis;

    private TestContext(LongSupplier remainingMillis) {
        this.remainingMillis = remainingMillis;
    }

    /** Remaining time counting down from {@code timeoutMillis}, as Lambda's does from the function's Timeout. */
    public static TestContext withTimeout(long timeoutMillis) {
        long deadline = System.nanoTime() / 1_000_000 + timeoutMillis;
        return new TestContext(() -> Math.max(0, deadline - System.nanoTime() / 1_000_000));
    }

    @Override
    public String getAwsRequestId() {
        return "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/agent-tasks-test";
    }

    @Override
    public String getLogStreamName() {
        return "2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef";
    }

    @Override
    public String getFunctionName() {
        return "agent-tasks-test";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:123456789012:function:agent-tasks-test";
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) remainingMillis.getAsLong();
    }

    @Override
    public int getMemoryLimitInMB() {
        return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.out.print(message);
            }

            @Override
            public void log(byte[] message) {
                System.out.print(new String(message, java.nio.charset.StandardCharsets.UTF_8));
            }
        };
    }
}
