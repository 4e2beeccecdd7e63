package dev.agenttasks.acceptance;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.containers.localstack.LocalStackContainer.Service;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

import dev.agenttasks.localaws.LocalAws;
import dev.agenttasks.localaws.LocalProvisioner;
import dev.agenttasks.localaws.LocalResources;
import dev.agenttasks.localaws.SamTemplate;
import dev.agenttasks.localaws.SharedMotoServer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@link ServiceFlowContract}, unchanged, against LocalStack in a container: DynamoDB, SQS and SSM as LocalStack
 * implements them, provisioned from template.yaml like moto. Needs Docker; without it JUnit reports the class as
 * skipped ("disabledWithoutDocker"). Run it alone: {@code mvn -pl infra/acceptance -am verify -Dit.test=LocalStackServiceFlowIT}.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackServiceFlowIT extends ServiceFlowContract {

    static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.4");

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(IMAGE)
            .withServices(Service.DYNAMODB, Service.SQS, Service.SSM)
            .withEnv("SQS_ENDPOINT_STRATEGY", "path");

    @Override
    Map<String, String> awsEnvironment() {
        URI endpoint = LOCALSTACK.getEndpoint();
        LocalResources resources;
        try (DynamoDbClient dynamoDb = LocalAws.dynamoDb(endpoint); SqsClient sqs = LocalAws.sqs(endpoint)) {
            resources = new LocalProvisioner(dynamoDb, sqs, "").provision(SamTemplate.load(SharedMotoServer.findTemplate()));
        }
        Map<String, String> env = new HashMap<>(resources.environment());
        env.put("AWS_ENDPOINT_URL", endpoint.toString());
        env.put("AWS_REGION", LocalAws.REGION);
        env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
        return env;
    }
}
