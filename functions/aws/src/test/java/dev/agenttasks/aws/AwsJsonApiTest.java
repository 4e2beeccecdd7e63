package dev.agenttasks.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.regions.Region;

class AwsJsonApiTest {

    @Test
    void withoutAnEndpointOverrideTheRegionalEndpointOfTheRegionsPartitionIsUsed() {
        assertThat(AwsJsonApi.regionalEndpoint(AwsJsonApi.Service.SSM, Region.EU_WEST_1))
                .isEqualTo(URI.create("https://ssm.eu-west-1.amazonaws.com"));
        assertThat(AwsJsonApi.regionalEndpoint(AwsJsonApi.Service.SSM, Region.CN_NORTH_1))
                .isEqualTo(URI.create("https://ssm.cn-north-1.amazonaws.com.cn"));
        assertThat(AwsJsonApi.regionalEndpoint(AwsJsonApi.Service.SSM, Region.US_GOV_WEST_1))
                .isEqualTo(URI.create("https://ssm.us-gov-west-1.amazonaws.com"));
    }

    @Test
    void theErrorCodeIsTheTypesLastPartWithoutTheHeadersSuffix() {
        assertThat(AwsJsonApi.errorCode("ParameterNotFound", "")).isEqualTo("ParameterNotFound");
        assertThat(AwsJsonApi.errorCode("com.amazonaws.ssm#ParameterNotFound", "")).isEqualTo("ParameterNotFound");
        assertThat(AwsJsonApi.errorCode("", "AccessDeniedException:http://internal.amazon.com/coral/"))
                .isEqualTo("AccessDeniedException");
        assertThat(AwsJsonApi.errorCode("", "")).isEmpty();
    }
}
