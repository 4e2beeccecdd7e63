import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * One cold start of a function in a fresh JVM: JVM start to main, handler construction (init) and the
 * first and second invocation with an event file. Prints one JSON line. Run with the function's jar and, to read the
 * event, jackson-databind and jackson-annotations (bench/cold-start.sh takes them from ~/.m2).
 * Usage: java -cp FUNCTION.jar:bench/target:DATABIND.jar:ANNOTATIONS.jar ColdStart HANDLER_CLASS EVENT_CLASS EVENT_FILE
 */
public class ColdStart {

    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        ObjectMapper json = JsonMapper.builder()
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        Object event = json.readValue(Files.readString(Path.of(args[2])), Class.forName(args[1]));

        long initStart = System.nanoTime();
        @SuppressWarnings("unchecked")
        RequestHandler<Object, Object> handler = (RequestHandler<Object, Object>) Class.forName(args[0])
                .getConstructor().newInstance();
        long initMs = (System.nanoTime() - initStart) / 1_000_000;

        long firstStart = System.nanoTime();
        Object first = handler.handleRequest(event, new BenchContext());
        long firstMs = (System.nanoTime() - firstStart) / 1_000_000;

        long secondStart = System.nanoTime();
        handler.handleRequest(event, new BenchContext());
        long secondMs = (System.nanoTime() - secondStart) / 1_000_000;

        System.out.printf("{\"handler\":\"%s\",\"jvm_to_main_ms\":%d,\"init_ms\":%d,\"first_invoke_ms\":%d,"
                        + "\"init_plus_first_ms\":%d,\"second_invoke_ms\":%d,\"first_result\":%s}%n",
                args[0], mainAt - jvmStart, initMs, firstMs, initMs + firstMs, secondMs,
                json.writeValueAsString(summary(first)));
        System.exit(0);
    }

    /** The first result, short: its status code or batch failures. */
    private static String summary(Object result) {
        String text = String.valueOf(result);
        int status = text.indexOf("statusCode=");
        return status >= 0 ? text.substring(status, Math.min(text.length(), status + 14)) : text;
    }

    static final class BenchContext implements Context {
        private final long deadline = System.currentTimeMillis() + 120_000;

        public String getAwsRequestId() { return "bench"; }
        public String getLogGroupName() { return "bench"; }
        public String getLogStreamName() { return "bench"; }
        public String getFunctionName() { return "bench"; }
        public String getFunctionVersion() { return "$LATEST"; }
        public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:bench"; }
        public CognitoIdentity getIdentity() { return null; }
        public ClientContext getClientContext() { return null; }
        public int getRemainingTimeInMillis() { return (int) (deadline - System.currentTimeMillis()); }
        public int getMemoryLimitInMB() { return 1024; }
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                public void log(String message) { System.err.println(message); }
                public void log(byte[] message) { System.err.println(new String(message)); }
            };
        }
    }
}
