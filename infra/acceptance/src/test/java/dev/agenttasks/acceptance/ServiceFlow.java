package dev.agenttasks.acceptance;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.agenttasks.aws.AwsClients;
import dev.agenttasks.aws.AwsJsonApi;
import dev.agenttasks.callback.CallbackHandler;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskMessages;
import dev.agenttasks.reconciler.ReconcilerHandler;
import dev.agenttasks.status.StatusHandler;
import dev.agenttasks.submit.SubmitHandler;
import dev.agenttasks.testkit.LambdaEvents;
import dev.agenttasks.testkit.TestContext;
import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.worker.WorkerHandler;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The service end to end through its four handlers, as Lambda would invoke them, against the AWS endpoint of the
 * given environment (moto or LocalStack) and an OpenAI-compatible stand-in: a keyed submission and its replay, a
 * second task the provider rate-limits for ten minutes, a third left in the queue; one worker batch (with a message
 * naming a task that was never stored); a status
 * read, a listing, a refused cancel of the finished task and the cancel of a fourth, pending one; the webhooks of the
 * finished and the cancelled tasks; then a reconciler run sixteen minutes later that re-sends the third task and fails the second, whose
 * message is put in the DLQ, and that task's webhook, which its receiver answers with a 500. It exercises every AWS
 * action the template grants.
 */
final class ServiceFlow {

    /** Text that must never reach a log line: the prompt, the result, the key and the caller's credentials. */
    static final String PROMPT = "What is a least-privilege policy? (prompt-marker-7f3a9c)";
    static final String RATE_LIMITED_PROMPT = "What is backoff? [rate-limited] (prompt-marker-2b81d0)";
    static final String LEFT_PENDING_PROMPT = "What is a reconciler? (prompt-marker-c41e77)";
    static final String CANCELLED_PROMPT = "What is a webhook? (prompt-marker-5d09aa)";
    /** The provider stand-in also receives the webhooks: this path answers 204, the other 500. */
    static final String HOOK_OK = "/hooks/ok";
    static final String HOOK_FAILING = "/hooks/failing";
    static final String RESULT = "Grant only what is used. (result-marker-91c2e4)";
    static final String API_KEY = "gsk_flow_secret_3e8b5d2a";
    static final String KEY_PARAMETER = "/agent-tasks/llm-api-key";
    static final List<String> SECRETS = List.of("prompt-marker", "result-marker", API_KEY,
            "5e1e9cbcd4b7c3d2f1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8", "IQoJb3JpZ2luX2VjEXAMPLETOKEN");
    static final long WORKER_TIMEOUT_MILLIS = 120_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What each step answered. */
    record Outcome(String taskId, String rateLimitedTaskId, String leftPendingTaskId, String cancelledTaskId,
                   APIGatewayV2HTTPResponse submitted, APIGatewayV2HTTPResponse replayed,
                   SQSBatchResponse workerResponse, String rateLimitedMessageId,
                   APIGatewayV2HTTPResponse status, APIGatewayV2HTTPResponse listed,
                   APIGatewayV2HTTPResponse cancelFinished, APIGatewayV2HTTPResponse cancelPending,
                   SQSBatchResponse webhooks, Map<String, Object> reconciled, SQSBatchResponse lateWebhooks,
                   Config config) {
    }

    private ServiceFlow() {
    }

    /** Runs the flow against {@code awsEnvironment} (the variables of a provisioned moto or LocalStack). */
    static Outcome run(Map<String, String> awsEnvironment, WireMockServer provider) {
        stubProvider(provider);
        Map<String, String> env = new HashMap<>(awsEnvironment);
        env.put("LLM_PROVIDER", "openai");
        env.put("LLM_BASE_URL", provider.baseUrl() + "/v1");
        env.put("LLM_API_KEY_PARAMETER", KEY_PARAMETER);
        env.remove("LLM_API_KEY");
        Config config = Config.of(env);
        try (AwsClients aws = new AwsClients(config)) {   // made by the test, outside any handler: not recorded
            aws.jsonApi(AwsJsonApi.Service.SSM).call("PutParameter",
                    Map.of("Name", KEY_PARAMETER, "Type", "SecureString", "Value", API_KEY, "Overwrite", true));
        }
        ServiceWiring wiring = new ServiceWiring(config, Clock.systemUTC());

        SubmitHandler submit = new SubmitHandler(wiring);
        String hookOk = provider.baseUrl() + HOOK_OK;
        APIGatewayV2HTTPResponse submitted = submit.handleRequest(submission(PROMPT, "flow-key-1", hookOk), context(30_000));
        APIGatewayV2HTTPResponse replayed = submit.handleRequest(submission(PROMPT, "flow-key-1", hookOk), context(30_000));
        String taskId = taskId(submitted);
        String rateLimitedId = taskId(submit.handleRequest(submission(RATE_LIMITED_PROMPT, "flow-key-2",
                provider.baseUrl() + HOOK_FAILING), context(30_000)));
        String leftPendingId = taskId(submit.handleRequest(submission(LEFT_PENDING_PROMPT, "flow-key-3", null), context(30_000)));
        String cancelledId = taskId(submit.handleRequest(submission(CANCELLED_PROMPT, "flow-key-4", hookOk), context(30_000)));

        SQSBatchResponse workerResponse;
        String rateLimitedMessageId;
        try (SqsClient sqs = testClient(SqsClient.builder(), config)) {
            Map<String, Message> messages = receive(sqs, config.taskQueueUrl(), List.of(taskId, rateLimitedId));
            SQSEvent.SQSMessage unknownTask = record(messages.get(taskId));
            unknownTask.setMessageId("message-of-a-task-never-stored");
            unknownTask.setBody(TaskMessages.body(TaskIds.newId()));
            SQSEvent batch = new SQSEvent();
            batch.setRecords(List.of(record(messages.get(taskId)), record(messages.get(rateLimitedId)), unknownTask));
            rateLimitedMessageId = messages.get(rateLimitedId).messageId();
            workerResponse = new WorkerHandler(wiring).handleRequest(batch, context(WORKER_TIMEOUT_MILLIS));
            sqs.sendMessage(b -> b.queueUrl(config.taskDlqUrl().orElseThrow()).messageBody(TaskMessages.body(rateLimitedId)));
        }

        StatusHandler statusHandler = new StatusHandler(wiring);
        APIGatewayV2HTTPResponse status = statusHandler.handleRequest(
                statusRequest("ANY /tasks/{id}", "GET", "/tasks/" + taskId, Map.of("id", taskId)), context(30_000));
        APIGatewayV2HTTPResponse listed = statusHandler.handleRequest(
                statusRequest("GET /tasks", "GET", "/tasks", null), context(30_000));
        APIGatewayV2HTTPResponse cancelFinished = statusHandler.handleRequest(statusRequest(
                "POST /tasks/{id}/cancel", "POST", "/tasks/" + taskId + "/cancel", Map.of("id", taskId)), context(30_000));
        APIGatewayV2HTTPResponse cancelPending = statusHandler.handleRequest(statusRequest("POST /tasks/{id}/cancel",
                "POST", "/tasks/" + cancelledId + "/cancel", Map.of("id", cancelledId)), context(30_000));
        SQSBatchResponse webhooks = deliverWebhooks(new CallbackHandler(wiring), config, List.of(taskId, cancelledId));

        ServiceWiring later = new ServiceWiring(config, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(16)));
        Map<String, Object> reconciled = new ReconcilerHandler(later)
                .handleRequest(LambdaEvents.load("scheduled.json", ScheduledEvent.class), context(120_000));
        SQSBatchResponse lateWebhooks = deliverWebhooks(new CallbackHandler(later), config, List.of(rateLimitedId));
        return new Outcome(taskId, rateLimitedId, leftPendingId, cancelledId, submitted, replayed, workerResponse,
                rateLimitedMessageId, status, listed, cancelFinished, cancelPending, webhooks, reconciled, lateWebhooks,
                config);
    }

    /** One callback function batch of the webhook messages of {@code taskIds}, taken from CallbackQueue. */
    private static SQSBatchResponse deliverWebhooks(CallbackHandler callbacks, Config config, List<String> taskIds) {
        try (SqsClient sqs = testClient(SqsClient.builder(), config)) {
            Map<String, Message> messages = receive(sqs, config.callbackQueueUrl().orElseThrow(), taskIds);
            SQSEvent batch = new SQSEvent();
            batch.setRecords(taskIds.stream().map(id -> record(messages.get(id))).toList());
            return callbacks.handleRequest(batch, context(60_000));
        }
    }

    /** The recorded status request, by the submitter, re-aimed at {@code routeKey}. */
    private static APIGatewayV2HTTPEvent statusRequest(String routeKey, String method, String path,
                                                       Map<String, String> pathParameters) {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("get-task.json", APIGatewayV2HTTPEvent.class);
        event.setRouteKey(routeKey);
        event.getRequestContext().setRouteKey(routeKey);
        event.getRequestContext().getHttp().setMethod(method);
        event.setRawPath(path);
        event.getRequestContext().getHttp().setPath(path);
        event.setPathParameters(pathParameters);
        return event;
    }

    private static void stubProvider(WireMockServer provider) {
        provider.resetAll();
        provider.stubFor(post(urlPathEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(containing("[rate-limited]"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "600")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}")));
        provider.stubFor(post(urlPathEqualTo("/v1/chat/completions")).atPriority(5)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(completion(RESULT))));
        provider.stubFor(post(urlPathEqualTo(HOOK_OK)).willReturn(aResponse().withStatus(204)));
        provider.stubFor(post(urlPathEqualTo(HOOK_FAILING)).willReturn(aResponse().withStatus(500)));
    }

    /** The recorded Groq completion with {@code content} as the answer. */
    static String completion(String content) {
        try (InputStream in = ServiceFlow.class.getResourceAsStream("/llm/groq-chat-completion.json")) {
            ObjectNode body = (ObjectNode) JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            ((ObjectNode) body.path("choices").path(0).path("message")).put("content", content);
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static APIGatewayV2HTTPEvent submission(String task, String key, String callbackUrl) {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class);
        try {
            event.setBody(JSON.writeValueAsString(callbackUrl == null ? Map.of("task", task)
                    : Map.of("task", task, "callback_url", callbackUrl)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> headers = new LinkedHashMap<>(event.getHeaders());
        headers.put("idempotency-key", "\"" + key + "\"");
        headers.remove("content-length");
        event.setHeaders(headers);
        return event;
    }

    static TestContext context(long timeoutMillis) {
        return TestContext.withTimeout(timeoutMillis);
    }

    static String taskId(APIGatewayV2HTTPResponse response) {
        try {
            return JSON.readTree(response.getBody()).path("task_id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The queue's messages by task id, until those of {@code taskIds} have all been seen. */
    static Map<String, Message> receive(SqsClient sqs, String queueUrl, List<String> taskIds) {
        Map<String, Message> byTask = new LinkedHashMap<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (Message message : sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(300).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages()) {
                TaskMessages.taskId(message.body()).ifPresent(id -> byTask.putIfAbsent(id, message));
            }
            return byTask.keySet().containsAll(taskIds);
        });
        return byTask;
    }

    static SQSEvent.SQSMessage record(Message message) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(message.messageId());
        record.setReceiptHandle(message.receiptHandle());
        record.setBody(message.body());
        record.setAttributes(new HashMap<>(message.attributesAsStrings()));
        record.setEventSource("aws:sqs");
        return record;
    }

    /** A client of the test itself (never recorded as a function's call). */
    static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C testClient(B builder, Config config) {
        builder.httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(config.awsRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        config.credentials().orElseThrow().accessKeyId(), config.credentials().orElseThrow().secretAccessKey())));
        config.awsEndpointUrl().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
