package dev.agenttasks.lambda.logging;

/** How a log line is laid out: a JSON object inside Lambda, a plain line for people anywhere else. */
public enum LogFormat {
    JSON, TEXT;

    /** The system property that overrides the choice: {@code json} or {@code text} (any other value is ignored). */
    public static final String PROPERTY = "agenttasks.log.format";
    /** Set by the Lambda runtime in every function. */
    static final String LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME";

    /**
     * The format given {@code -Dagenttasks.log.format} ({@code property}, may be null) and the Lambda runtime's
     * {@code AWS_LAMBDA_FUNCTION_NAME} ({@code lambdaFunctionName}, null outside Lambda).
     */
    static LogFormat choose(String property, String lambdaFunctionName) {
        if ("json".equals(property)) {
            return JSON;
        }
        if ("text".equals(property)) {
            return TEXT;
        }
        return lambdaFunctionName != null ? JSON : TEXT;
    }
}
