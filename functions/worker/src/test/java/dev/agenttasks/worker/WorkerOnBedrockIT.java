package dev.agenttasks.worker;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.TokenUsage;
import dev.agenttasks.submit.SubmitHandler;
import dev.agenttasks.testkit.LambdaEvents;
import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.testkit.TestContext;
import dev.agenttasks.wiring.ServiceWiring;

/**
 * LLM_PROVIDER=bedrock end to end: a task submitted through SubmitHandler is run by WorkerHandler (moto for DynamoDB
 * and SQS) against WireMock standing in for Bedrock's Converse endpoint, on the built-in Nova tiers.
 */
class WorkerOnBedrockIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** events/submit-task.json asks "What is Amazon SQS?": the simple tier, Nova Micro. */
    private static final String CONVERSE = "/model/amazon.nova-micro-v1%3A0/converse";

    private final WireMockServer bedrock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private ServiceWiring wiring;
    private String taskId;

    @BeforeEach
    void setUp() throws Exception {
        bedrock.start();
        Map<String, String> env = new HashMap<>(MotoEnvironment.fresh());
        env.put("LLM_PROVIDER", "bedrock");
        env.put("BEDROCK_ENDPOINT_URL", bedrock.baseUrl());
        wiring = new ServiceWiring(Config.of(env), Clock.systemUTC());
        APIGatewayV2HTTPResponse submitted = new SubmitHandler(wiring).handleRequest(
                LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class), TestContext.withTimeout(30_000));
        assertThat(submitted.getStatusCode()).isEqualTo(202);
        taskId = JSON.readTree(submitted.getBody()).get("task_id").asText();
    }

    @AfterEach
    void stopBedrock() {
        bedrock.stop();
    }

    @Test
    void aSimpleTaskRunsOnNovaMicroAndIsPricedAtItsRates() {
        bedrock.stubFor(post(urlEqualTo(CONVERSE)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"A managed queue.\"}]}},"
                        + "\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":1000,\"outputTokens\":500,\"totalTokens\":1500},"
                        + "\"metrics\":{\"latencyMs\":120}}")));

        SQSBatchResponse response = new WorkerHandler(wiring).handleRequest(batch(), TestContext.withTimeout(120_000));

        assertThat(response.getBatchItemFailures()).isEmpty();
        Task task = new DynamoDbTaskRepository(wiring.aws().dynamoDb(), wiring.config().tasksTable()).find(taskId).orElseThrow();
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(task.model()).isEqualTo("amazon.nova-micro-v1:0");
        assertThat(task.result()).isEqualTo("A managed queue.");
        assertThat(task.usage()).isEqualTo(new TokenUsage(1000, 500));
        assertThat(task.costUsd()).as("1000 x $0.035/M + 500 x $0.14/M").isEqualByComparingTo(new BigDecimal("0.000105"));
        bedrock.verify(1, postRequestedFor(urlEqualTo(CONVERSE)).withRequestBody(equalToJson(
                "{\"messages\": [{\"role\": \"user\", \"content\": [{\"text\": \"What is Amazon SQS?\"}]}],"
                        + " \"inferenceConfig\": {\"maxTokens\": 400}}", true, true)));
    }

    private SQSEvent batch() {
        SQSEvent event = LambdaEvents.load("sqs-batch.json", SQSEvent.class);
        SQSEvent.SQSMessage record = event.getRecords().get(0);
        record.setBody(TaskMessages.body(taskId));
        event.setRecords(List.of(record));
        return event;
    }
}
