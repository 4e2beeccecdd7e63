package dev.agenttasks.aws;

import java.util.Map;


import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.json.JsonValue;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Reads SSM parameters, SecureStrings decrypted, with one {@code GetParameter} of SSM's JSON API
 * ({@link AwsJsonApi}) rather than the SSM SDK client. Made for reading a function's settings once, at init: a
 * parameter that cannot be read is a {@link ConfigurationException} naming it and SSM's error code.
 */
public final class SsmParameterReader {

    private final AwsJsonApi ssm;

    SsmParameterReader(AwsJsonApi ssm) {
        this.ssm = ssm;
    }

    /**
     * The value of parameter {@code name} (decrypted when a SecureString).
     *
     * @param what what the parameter holds, for the error message (e.g. "the LLM API key")
     * @throws ConfigurationException the parameter could not be read: its name, SSM's error code and message, never
     *                                the value
     */
    public String read(String name, String what) {
        JsonValue answer;
        try {
            answer = ssm.call("GetParameter", Map.of("Name", name, "WithDecryption", true));
        } catch (AwsServiceException e) {
            String message = e.awsErrorDetails().errorMessage();
            throw new ConfigurationException(problem(name, what) + e.awsErrorDetails().errorCode() + " (HTTP "
                    + e.statusCode() + ")" + (message == null || message.isBlank() ? "" : ": " + message));
        } catch (SdkException e) {
            throw new ConfigurationException(problem(name, what) + e.getMessage());
        }
        JsonValue value = answer.path("Parameter").path("Value");
        if (!value.isString()) {
            throw new ConfigurationException(problem(name, what) + "SSM's answer has no Parameter.Value");
        }
        return value.asText();
    }

    private static String problem(String name, String what) {
        return "could not read " + what + " from SSM parameter " + name + ": ";
    }
}
