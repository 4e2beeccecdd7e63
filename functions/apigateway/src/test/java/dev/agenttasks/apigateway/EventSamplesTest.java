package dev.agenttasks.apigateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.agenttasks.api.HttpRequest;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.testkit.LambdaEvents;

/**
 * The sample events keep AWS's shapes (so {@code sam local invoke} and the handler tests see what AWS sends),
 * and the runtime's deserializer maps them onto the event classes without losing what the handlers read.
 */
class EventSamplesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter API_GATEWAY_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    private static JsonNode tree(String file) throws IOException {
        return JSON.readTree(Files.readString(LambdaEvents.file(file)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"submit-task.json", "submit-task-jwt.json", "get-task.json", "health.json"})
    void httpApiSamplesHaveThePayloadFormat2Shape(String file) throws IOException {
        JsonNode event = tree(file);
        JsonNode context = event.get("requestContext");

        assertThat(event.get("version").asText()).isEqualTo("2.0");
        assertThat(context.get("routeKey").asText()).isEqualTo(event.get("routeKey").asText());
        assertThat(context.get("stage").asText()).isEqualTo("$default");
        assertThat(context.at("/http/path").asText()).isEqualTo(event.get("rawPath").asText());
        assertThat(context.at("/http/protocol").asText()).isEqualTo("HTTP/1.1");
        assertThat(context.get("domainName").asText()).isEqualTo(context.get("apiId").asText()
                + ".execute-api.us-east-1.amazonaws.com");
        assertThat(event.get("isBase64Encoded").isBoolean()).isTrue();
        for (Iterator<String> names = event.get("headers").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            assertThat(name).as("HTTP APIs lower-case header names").isEqualTo(name.toLowerCase(Locale.ROOT));
        }
        Instant time = ZonedDateTime.parse(context.get("time").asText(), API_GATEWAY_TIME).toInstant();
        assertThat(context.get("timeEpoch").asLong() / 1000).isEqualTo(time.getEpochSecond());
        if (event.has("body")) {
            assertThat(event.at("/headers/content-length").asInt())
                    .isEqualTo(event.get("body").asText().getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void theIamSubmissionCarriesTheCallerFromTheAuthorizerOnly() {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class);

        HttpRequest request = ApiGatewayHttp.toRequest(event);

        assertThat(ApiGatewayHttp.routeKey(event)).isEqualTo("ANY /tasks");
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/tasks");
        assertThat(request.caller()).contains("iam:arn:aws:sts::123456789012:assumed-role/agent-tasks-caller/alice");
        assertThat(request.header("Content-Type")).contains("application/json");
        assertThat(request.body()).isEqualTo("{\"task\":\"What is Amazon SQS?\"}");
        assertThat(request.requestId()).isEqualTo("Ux3mVgPaIAMEJxA=");
        assertThat(event.getRequestContext().getAuthorizer().getIam().getCognitoIdentity()).isNull();
        assertThat(event.getRequestContext().getTimeEpoch()).isEqualTo(1_795_860_000_000L);
    }

    @Test
    void theJwtSubmissionNamesTheCallerByIssuerAndSubject() {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task-jwt.json", APIGatewayV2HTTPEvent.class);

        HttpRequest request = ApiGatewayHttp.toRequest(event);

        assertThat(request.caller()).contains(
                "jwt:https://cognito-idp.us-east-1.amazonaws.com/us-east-1_xmplPool1|7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b");
        assertThat(event.getRequestContext().getAuthorizer().getJwt().getScopes())
                .containsExactly("agent-tasks/tasks.write", "agent-tasks/tasks.read");
        assertThat(event.getRequestContext().getAuthorizer().getIam()).isNull();
    }

    @Test
    void theGetSampleCarriesAWellFormedTaskIdAsItsPathParameter() {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("get-task.json", APIGatewayV2HTTPEvent.class);

        HttpRequest request = ApiGatewayHttp.toRequest(event);

        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.pathParameter("id")).hasValueSatisfying(id -> {
            assertThat(TaskIds.isWellFormed(id)).isTrue();
            assertThat(request.path()).isEqualTo("/tasks/" + id);
        });
        assertThat(request.caller()).isPresent();
        assertThat(request.body()).isNull();
    }

    @Test
    void theHealthSampleHasNoAuthorizerAndSoNoCaller() {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("health.json", APIGatewayV2HTTPEvent.class);

        assertThat(event.getRequestContext().getAuthorizer()).isNull();
        assertThat(ApiGatewayHttp.toRequest(event).caller()).isEmpty();
        assertThat(ApiGatewayHttp.routeKey(event)).isEqualTo("GET /health");
    }

    @Test
    void theSqsSampleKeepsEveryRecordFieldTheRuntimeMaps() throws IOException, NoSuchAlgorithmException {
        SQSEvent event = LambdaEvents.load("sqs-batch.json", SQSEvent.class);
        JsonNode tree = tree("sqs-batch.json");

        List<SQSEvent.SQSMessage> records = event.getRecords();
        assertThat(records).hasSize(2);
        for (int i = 0; i < records.size(); i++) {
            SQSEvent.SQSMessage message = records.get(i);
            JsonNode raw = tree.get("Records").get(i);
            assertThat(message.getMessageId()).isEqualTo(raw.get("messageId").asText());
            assertThat(message.getReceiptHandle()).isEqualTo(raw.get("receiptHandle").asText());
            assertThat(message.getEventSource()).isEqualTo("aws:sqs");
            assertThat(message.getEventSourceArn()).isEqualTo(raw.get("eventSourceARN").asText())
                    .startsWith("arn:aws:sqs:us-east-1:");
            assertThat(message.getAwsRegion()).isEqualTo("us-east-1");
            assertThat(message.getAttributes()).containsKeys("ApproximateReceiveCount", "SentTimestamp", "SenderId",
                    "ApproximateFirstReceiveTimestamp");
            assertThat(message.getMessageAttributes()).isEmpty();
            String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(message.getBody().getBytes(StandardCharsets.UTF_8)));
            assertThat(message.getMd5OfBody()).as("md5OfBody is the MD5 of the body, as SQS computes it").isEqualTo(md5);
            String taskId = JSON.readTree(message.getBody()).get("taskId").asText();
            assertThat(TaskIds.isWellFormed(taskId)).isTrue();
        }
    }
}
