package dev.agenttasks.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SamTemplateTest {

    private static final String TEMPLATE = """
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              WorkerMemory:
                Type: Number
                Default: 512
              WorkerBatchSize:
                Type: Number
                Default: 5
              WorkerWindow:
                Type: Number
                Default: 2
            Conditions:
              UseJwt: !Equals [!Ref AuthMode, JWT]
            Globals:
              Function:
                Timeout: 30
            Resources:
              Api:
                Type: AWS::Serverless::HttpApi
                Properties:
                  Auth:
                    DefaultAuthorizer: AWS_IAM
              Submit:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: dev.example.Submit::handleRequest
                  Events:
                    Post:
                      Type: HttpApi
                      Properties:
                        ApiId: !Ref Api
                        Method: any
                        Path: /tasks
                    Health:
                      Type: HttpApi
                      Properties:
                        ApiId: !Ref Api
                        Method: GET
                        Path: /health
                        Auth:
                          Authorizer: NONE
              Worker:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: dev.example.Worker::handleRequest
                  Timeout: 120
                  MemorySize: !Ref WorkerMemory
                  Environment:
                    Variables:
                      QUEUE_URL: !Ref Queue
                      LABEL: !Sub ${AWS::StackName}-worker
                      MODE: !If [UseJwt, jwt, iam]
                  Events:
                    Tasks:
                      Type: SQS
                      Properties:
                        Queue: !GetAtt Queue.Arn
                        BatchSize: !Ref WorkerBatchSize
                        MaximumBatchingWindowInSeconds: !Ref WorkerWindow
                        FunctionResponseTypes: [ReportBatchItemFailures]
              Plain:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: dev.example.Plain::handleRequest
                  Events:
                    Tasks:
                      Type: SQS
                      Properties:
                        Queue: !GetAtt [Dlq, Arn]
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  VisibilityTimeout: 720
                  RedrivePolicy:
                    deadLetterTargetArn: !GetAtt Dlq.Arn
                    maxReceiveCount: 10
              Dlq:
                Type: AWS::SQS::Queue
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  BillingMode: PAY_PER_REQUEST
            """;

    private static SamTemplate template() {
        return SamTemplate.parse(new StringReader(TEMPLATE));
    }

    @Test
    void shortFormIntrinsicsBecomeTheirLongFormMaps() {
        Map<String, Object> variables = SamTemplate.map(SamTemplate.map(
                template().functionProperties("Worker").get("Environment")).get("Variables"));

        assertThat(variables.get("QUEUE_URL")).isEqualTo(Map.of("Ref", "Queue"));
        assertThat(variables.get("LABEL")).isEqualTo(Map.of("Fn::Sub", "${AWS::StackName}-worker"));
        assertThat(variables.get("MODE")).isEqualTo(Map.of("Fn::If", List.of("UseJwt", "jwt", "iam")));
    }

    @Test
    void nestedIntrinsicsAreConvertedAtEveryLevel() {
        Map<String, Object> queue = template().queues().get("Queue");

        assertThat(SamTemplate.map(queue.get("RedrivePolicy")).get("deadLetterTargetArn"))
                .isEqualTo(Map.of("Fn::GetAtt", "Dlq.Arn"));
        assertThat(queue.get("VisibilityTimeout")).isEqualTo(720);
    }

    @Test
    void logicalIdOfResolvesRefGetAttInBothFormsAndPlainStrings() {
        assertThat(SamTemplate.logicalIdOf(Map.of("Ref", "Queue"))).isEqualTo("Queue");
        assertThat(SamTemplate.logicalIdOf(Map.of("Fn::GetAtt", "Queue.Arn"))).isEqualTo("Queue");
        assertThat(SamTemplate.logicalIdOf(Map.of("Fn::GetAtt", List.of("Dlq", "Arn")))).isEqualTo("Dlq");
        assertThat(SamTemplate.logicalIdOf("arn:aws:sqs:us-east-1:123456789012:q")).isEqualTo("arn:aws:sqs:us-east-1:123456789012:q");
    }

    @Test
    void resourcesAreFoundByTypeInTemplateOrder() {
        assertThat(template().queues()).containsOnlyKeys("Queue", "Dlq");
        assertThat(template().tables()).containsOnlyKeys("Table");
        assertThat(template().resources("AWS::Serverless::Function").keySet()).containsExactly("Submit", "Worker", "Plain");
        assertThat(template().functionHandler("Worker")).isEqualTo("dev.example.Worker::handleRequest");
    }

    @Test
    void aFunctionsTimeoutIsItsOwnElseTheGlobalOne() {
        assertThat(template().functionTimeoutSeconds("Worker")).isEqualTo(120);
        assertThat(template().functionTimeoutSeconds("Submit")).isEqualTo(30);
        assertThat(SamTemplate.parse(new StringReader("""
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties: {Handler: x}
                """)).functionTimeoutSeconds("F")).as("Lambda's default").isEqualTo(3);
    }

    @Test
    void aNumberGivenAsAParameterIsItsDefaultUnlessTheParameterIsOverridden() {
        assertThat(template().functionMemoryMb("Worker")).isEqualTo(512);
        assertThat(template().functionMemoryMb("Submit")).as("Lambda's default").isEqualTo(128);

        SamTemplate overridden = template().withParameters(Map.of("WorkerBatchSize", "10", "WorkerWindow", "0"));

        assertThat(overridden.sqsEventSource("Worker")).contains(new SamTemplate.SqsEventSource("Queue", 10, 0, 1000, true));
        assertThat(overridden.functionMemoryMb("Worker")).isEqualTo(512);
        SamTemplate twice = overridden.withParameters(Map.of("WorkerMemory", "1024"));
        assertThat(twice.functionMemoryMb("Worker")).isEqualTo(1024);
        assertThat(twice.sqsEventSource("Worker")).as("overrides add up")
                .contains(new SamTemplate.SqsEventSource("Queue", 10, 0, 1000, true));
        assertThat(template().parameterValue("WorkerWindow")).contains("2");
    }

    @Test
    void overridingAParameterTheTemplateDoesNotDeclareIsRefused() {
        assertThatThrownBy(() -> template().withParameters(Map.of("WorkerBatchsize", "10")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no parameter WorkerBatchsize").hasMessageContaining("WorkerBatchSize");
    }

    @Test
    void anUnknownFunctionIsNamedInTheError() {
        assertThatThrownBy(() -> template().functionProperties("Nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Nope");
    }

    @Test
    void httpRoutesCarryMethodPathFunctionAndWhetherTheyNeedACaller() {
        assertThat(template().httpRoutes()).containsExactly(
                new SamTemplate.HttpRoute("ANY", "/tasks", "Submit", true),
                new SamTemplate.HttpRoute("GET", "/health", "Submit", false));
    }

    @Test
    void sqsEventSourcesResolveTheirQueueAndDefaults() {
        assertThat(template().sqsEventSource("Worker")).contains(
                new SamTemplate.SqsEventSource("Queue", 5, 2, 1000, true));
        assertThat(template().sqsEventSource("Plain")).contains(
                new SamTemplate.SqsEventSource("Dlq", 10, 0, 1000, false));
        assertThat(template().sqsEventSource("Submit")).isEmpty();
    }

    @Test
    void aDocumentThatIsNotAMappingIsRejected() {
        assertThatThrownBy(() -> SamTemplate.parse(new StringReader("- just\n- a list\n")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
