package dev.agenttasks.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** Which AWS SDK failures are worth retrying. */
final class AwsErrors {

    private AwsErrors() {
    }

    /** Throttling, a 5xx from the service, or a failure before any answer (network, timeout). */
    static boolean isTransient(SdkException e) {
        if (e instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500;
        }
        return true;
    }
}
