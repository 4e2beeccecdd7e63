package dev.agenttasks.acceptance;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import dev.agenttasks.acceptance.LambdaJavaRuntime.Answer;
import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.AwsJsonApi;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.localaws.SharedMotoServer;
import dev.agenttasks.testkit.MotoEnvironment;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Each function's deployable jar (functions/NAME/target/NAME-function.jar, as the build shades it) run as Lambda runs
 * it ({@link LambdaJavaRuntime}: a fresh JVM under the runtime interface client, the template's JAVA_TOOL_OPTIONS,
 * Lambda's variables, credentials from a container endpoint) against moto, fed the sample events of events/: what the jar leaves out must be what its code
 * never reaches. Each function also takes an SDK error path: a keyed replay (a refused conditional PutItem that
 * returns the stored item), a message of a task never stored (a refused conditional claim), a missing task (404).
 * The five JVMs start side by side; the events go in the order a task lives: submit, worker, status, callback,
 * reconciler.
 */
class DeployableJarsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TEMPLATE = SharedMotoServer.findTemplate();
    private static final Path ROOT = TEMPLATE.getParent();
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration ANSWER = Duration.ofSeconds(30);
    private static final String KEY_PARAMETER = "/agent-tasks/llm-api-key";
    private static final String API_KEY = "gsk_deployable-jar-key";
    private static final String RESULT = "Amazon SQS is a managed message queue.";

    private static final Map<String, LambdaJavaRuntime> RUNNING = new LinkedHashMap<>();
    private static final Map<String, Answer> ANSWERS = new LinkedHashMap<>();
    private static WireMockServer provider;
    private static String taskId;

    @BeforeAll
    static void runEveryJarThroughATasksLife() throws IOException {
        provider = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        provider.start();
        provider.stubFor(post(urlPathEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(ServiceFlow.completion(RESULT))));
        Map<String, String> aws = MotoEnvironment.fresh();
        Config config = Config.of(aws);
        try (AwsClients clients = new AwsClients(config)) {
            clients.jsonApi(AwsJsonApi.Service.SSM).call("PutParameter",
                    Map.of("Name", KEY_PARAMETER, "Type", "SecureString", "Value", API_KEY, "Overwrite", true));
        }
        Path work = Files.createDirectories(ROOT.resolve("infra/acceptance/target/deployable-jars"));
        start("submit", "dev.agenttasks.submit.SubmitHandler::handleRequest", aws, Map.of(), work);
        start("worker", "dev.agenttasks.worker.WorkerHandler::handleRequest", aws,
                Map.of("LLM_BASE_URL", provider.baseUrl() + "/v1", "LLM_API_KEY_PARAMETER", KEY_PARAMETER), work);
        start("status", "dev.agenttasks.status.StatusHandler::handleRequest", aws,
                Map.of("CURSOR_SIGNING_KEY", "c".repeat(40), "WEBHOOK_SIGNING_KEY", "w".repeat(40)), work);
        start("callback", "dev.agenttasks.callback.CallbackHandler::handleRequest", aws,
                Map.of("WEBHOOK_SIGNING_KEY", "w".repeat(40)), work);
        start("reconciler", "dev.agenttasks.reconciler.ReconcilerHandler::handleRequest", aws, Map.of(), work);
        RUNNING.values().forEach(runtime -> runtime.awaitReady(START));

        ObjectNode submission = event("submit-task.json");
        ANSWERS.put("submit", invoke("submit", submission));
        ANSWERS.put("submit replayed", invoke("submit", submission));
        taskId = JSON.readTree(body(ANSWERS.get("submit"))).path("task_id").asText();

        try (SqsClient sqs = ServiceFlow.testClient(SqsClient.builder(), config)) {
            sqs.sendMessage(b -> b.queueUrl(config.taskQueueUrl()).messageBody(TaskMessages.body(TaskIds.newId())));
            List<ObjectNode> records = new ArrayList<>();
            for (Message message : receive(sqs, config.taskQueueUrl(), 2)) {
                records.add(record(message.messageId(), message.receiptHandle(), message.body()));
            }
            ANSWERS.put("worker", invoke("worker", sqsEvent(records)));
        }

        ObjectNode get = event("get-task.json");
        ANSWERS.put("status", invoke("status", withTask(get, taskId)));
        ANSWERS.put("status missing", invoke("status", withTask(get, TaskIds.newId())));

        ANSWERS.put("callback", invoke("callback",
                sqsEvent(List.of(record("callback-of-" + taskId, "receipt-of-" + taskId, TaskMessages.body(taskId))))));
        ANSWERS.put("reconciler", invoke("reconciler", event("scheduled.json")));
    }

    @AfterAll
    static void stopEverything() {
        RUNNING.values().forEach(LambdaJavaRuntime::close);
        if (provider != null) {
            provider.stop();
        }
    }

    @Test
    void everyJarSignsWithTheCredentialsOfTheContainerEndpointAsUnderSnapStart() {
        RUNNING.forEach((name, runtime) -> assertThat(runtime.credentialRequests()).as(name).isPositive());
    }

    @Test
    void theSubmitFunctionsJarAcceptsATaskAndReplaysItsKey() throws IOException {
        JsonNode accepted = response("submit");
        assertThat(accepted.path("statusCode").asInt()).isEqualTo(202);
        assertThat(taskId).matches("[a-z2-7]{26}");

        JsonNode replayed = response("submit replayed");
        assertThat(replayed.path("statusCode").asInt()).isEqualTo(200);
        assertThat(replayed.path("headers").path("Idempotent-Replayed").asText()).isEqualTo("true");
        assertThat(JSON.readTree(replayed.path("body").asText()).path("task_id").asText()).isEqualTo(taskId);
    }

    @Test
    void theWorkersJarReadsItsKeyFromSsmCompletesTheTaskAndDropsAMessageOfNoTask() {
        assertThat(response("worker").path("batchItemFailures")).isEmpty();
        provider.verify(1, postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY)));
    }

    @Test
    void theStatusFunctionsJarShowsTheCompletedTaskAndAnswers404ForAMissingOne() throws IOException {
        JsonNode found = response("status");
        assertThat(found.path("statusCode").asInt()).isEqualTo(200);
        JsonNode task = JSON.readTree(found.path("body").asText());
        assertThat(task.path("status").asText()).isEqualTo("complete");
        assertThat(task.path("result").asText()).isEqualTo(RESULT);

        JsonNode missing = response("status missing");
        assertThat(missing.path("statusCode").asInt()).isEqualTo(404);
        assertThat(missing.path("headers").path("Content-Type").asText()).isEqualTo("application/problem+json");
    }

    @Test
    void theCallbackFunctionsJarAcknowledgesAMessageOfATaskWithoutAWebhook() {
        assertThat(response("callback").path("batchItemFailures")).isEmpty();
    }

    @Test
    void theReconcilersJarRunsAPassAndReturnsItsCounts() {
        JsonNode summary = response("reconciler");
        assertThat(summary.isObject()).isTrue();
        assertThat(summary.path("errors").asInt(-1)).isZero();
    }

    private static void start(String name, String handler, Map<String, String> aws, Map<String, String> own, Path work) {
        Map<String, String> env = new HashMap<>(aws);
        env.remove("SIMULATED_LATENCY_MS");
        env.put("LLM_PROVIDER", "openai");   // the template's default
        env.putAll(own);
        env.putAll(Map.of(
                "AWS_LAMBDA_FUNCTION_NAME", "agent-tasks-" + name,
                "AWS_LAMBDA_FUNCTION_VERSION", "1",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024",
                "AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/agent-tasks-" + name,
                "AWS_LAMBDA_LOG_STREAM_NAME", "deployable-jars-it",
                "AWS_EXECUTION_ENV", "AWS_Lambda_java21",
                "TZ", ":UTC",
                "AWS_DEFAULT_REGION", aws.get("AWS_REGION"),
                "SERVICE_NAME", "agent-tasks",
                "JAVA_TOOL_OPTIONS", templateJavaToolOptions()));
        Path jar = ROOT.resolve("functions/" + name + "/target/" + name + "-function.jar");
        assertThat(jar).as("built by the package phase").exists();
        RUNNING.put(name, LambdaJavaRuntime.start(name, jar, handler, env, work));
    }

    private static Answer invoke(String name, JsonNode event) {
        return RUNNING.get(name).invoke(event.toString(), ANSWER);
    }

    private static JsonNode response(String invocation) {
        Answer answer = ANSWERS.get(invocation);
        assertThat(answer.error()).as("%s answered with an error: %s", invocation, answer.body()).isFalse();
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String body(Answer answer) throws IOException {
        return JSON.readTree(answer.body()).path("body").asText();
    }

    private static ObjectNode event(String file) throws IOException {
        return (ObjectNode) JSON.readTree(ROOT.resolve("events").resolve(file).toFile());
    }

    private static ObjectNode withTask(ObjectNode get, String id) {
        ObjectNode event = get.deepCopy();
        event.putObject("pathParameters").put("id", id);
        event.put("rawPath", "/tasks/" + id);
        ((ObjectNode) event.path("requestContext").path("http")).put("path", "/tasks/" + id);
        return event;
    }

    /** events/sqs-batch.json with {@code records}. */
    private static ObjectNode sqsEvent(List<ObjectNode> records) throws IOException {
        ObjectNode event = event("sqs-batch.json");
        event.putArray("Records").addAll(records);
        return event;
    }

    /** A record of events/sqs-batch.json with this message id, receipt handle and body. */
    private static ObjectNode record(String messageId, String receiptHandle, String body) throws IOException {
        ObjectNode record = (ObjectNode) event("sqs-batch.json").path("Records").get(0);
        return record.put("messageId", messageId).put("receiptHandle", receiptHandle).put("body", body);
    }

    private static List<Message> receive(SqsClient sqs, String queueUrl, int count) {
        List<Message> messages = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (messages.size() < count && System.nanoTime() < deadline) {
            messages.addAll(sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages());
        }
        assertThat(messages).hasSize(count);
        return messages;
    }

    private static String templateJavaToolOptions() {
        try {
            Matcher options = Pattern.compile("(?m)^\\s+JAVA_TOOL_OPTIONS:\\s*(.+)$").matcher(Files.readString(TEMPLATE));
            assertThat(options.find()).as("template.yaml sets JAVA_TOOL_OPTIONS").isTrue();
            return options.group(1).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
