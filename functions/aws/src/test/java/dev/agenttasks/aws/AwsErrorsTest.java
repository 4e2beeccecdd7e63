package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.port.DependencyUnavailableException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;

class AwsErrorsTest {

    private static DynamoDbException service(int status, String code) {
        return (DynamoDbException) DynamoDbException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build()).build();
    }

    @Test
    void throttlingServerErrorsAndNetworkFailuresAreTransient() {
        assertThat(AwsErrors.isTransient(ProvisionedThroughputExceededException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException").build())
                .build())).isTrue();
        assertThat(AwsErrors.isTransient(service(400, "ThrottlingException"))).isTrue();
        assertThat(AwsErrors.isTransient(service(500, "InternalServerError"))).isTrue();
        assertThat(AwsErrors.isTransient(SdkClientException.create("connection reset"))).isTrue();
    }

    @Test
    void validationAndAccessErrorsAreNot() {
        assertThat(AwsErrors.isTransient(service(400, "ValidationException"))).isFalse();
        assertThat(AwsErrors.isTransient(service(400, "AccessDeniedException"))).isFalse();
    }

    @Test
    void onlyTransientFailuresBecomeAnUnavailableDependency() {
        assertThat(DynamoDbTaskRepository.unavailable("read task", service(503, "ServiceUnavailable")))
                .isInstanceOf(DependencyUnavailableException.class);
        assertThat(DynamoDbTaskRepository.unavailable("store task", service(400, "ValidationException")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("store task");
    }
}
