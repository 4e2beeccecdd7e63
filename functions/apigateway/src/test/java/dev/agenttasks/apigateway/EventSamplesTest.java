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
    @ValueSource(strings = {"submit-task.json", "submit-task-other-session.json", "submit-task-iam-user.json",
            "submit-task-cognito.json", "submit-task-cognito-refreshed.json", "submit-task-cognito-other-identity.json",
            "submit-task-jwt.json", "get-task.json", "health.json"})
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
        assertThat(request.caller()).contains("iam:arn:aws:sts::123456789012:assumed-role/agent-tasks-caller|AROAXMPLEXAMPLEROLE1");
        assertThat(request.header("Content-Type")).contains("application/json");
        assertThat(request.body()).isEqualTo("{\"task\":\"What is Amazon SQS?\"}");
        assertThat(request.requestId()).isEqualTo("Ux3mVgPaIAMEJxA=");
        assertThat(event.getRequestContext().getAuthorizer().getIam().getCognitoIdentity()).isNull();
        assertThat(event.getRequestContext().getTimeEpoch()).isEqualTo(1_795_860_000_000L);
    }

    /**
     * The IAM samples keep the fields' real relations: {@code userId} and {@code callerId} are the principal's
     * unique id (plus {@code :<session>} for a role session, the session the ARN ends with), temporary
     * credentials ({@code ASIA}) come with a security token and long-term ones ({@code AKIA}) without.
     */
    @ParameterizedTest
    @ValueSource(strings = {"submit-task.json", "submit-task-other-session.json", "submit-task-iam-user.json",
            "submit-task-cognito.json", "submit-task-cognito-refreshed.json", "submit-task-cognito-other-identity.json",
            "get-task.json"})
    void iamSamplesHaveTheAuthorizerFieldsApiGatewaySends(String file) throws IOException {
        JsonNode event = tree(file);
        JsonNode iam = event.at("/requestContext/authorizer/iam");
        String userArn = iam.get("userArn").asText();
        String userId = iam.get("userId").asText();
        String accessKey = iam.get("accessKey").asText();

        assertThat(iam.get("callerId").asText()).isEqualTo(userId);
        assertThat(iam.get("accountId").asText()).isEqualTo(userArn.split(":")[4]);
        assertThat(event.at("/headers/authorization").asText()).contains("Credential=" + accessKey + "/");
        if (userArn.contains(":assumed-role/")) {
            assertThat(userId).startsWith("AROA").endsWith(":" + userArn.substring(userArn.lastIndexOf('/') + 1));
            assertThat(accessKey).startsWith("ASIA");
            assertThat(event.at("/headers/x-amz-security-token").isTextual()).isTrue();
        } else {
            assertThat(userArn).contains(":iam::").contains(":user/");
            assertThat(userId).startsWith("AIDA").doesNotContain(":");
            assertThat(accessKey).startsWith("AKIA");
            assertThat(event.at("/headers/x-amz-security-token").isMissingNode()).isTrue();
        }
        JsonNode cognito = iam.get("cognitoIdentity");
        if (!cognito.isNull()) {
            assertThat(cognito.get("identityId").asText()).matches("us-east-1:[0-9a-f-]{36}");
            assertThat(cognito.get("identityPoolId").asText()).matches("us-east-1:[0-9a-f-]{36}");
            assertThat(cognito.get("amr").get(0).asText()).isEqualTo("authenticated");
            assertThat(userArn).endsWith("/CognitoIdentityCredentials");
        }
    }

    private static String caller(String file) {
        return ApiGatewayHttp.toRequest(LambdaEvents.load(file, APIGatewayV2HTTPEvent.class)).caller().orElseThrow();
    }

    @Test
    void twoSessionNamesOfOneAssumedRoleAreOneCallerNamedWithoutTheSession() {
        String alice = caller("submit-task.json");
        String batch = caller("submit-task-other-session.json");

        assertThat(batch).isEqualTo(alice)
                .isEqualTo("iam:arn:aws:sts::123456789012:assumed-role/agent-tasks-caller|AROAXMPLEXAMPLEROLE1")
                .doesNotContain("alice", "nightly-batch-42");
    }

    @Test
    void anIamUserIsNamedByItsArnAndUniqueId() {
        assertThat(caller("submit-task-iam-user.json"))
                .isEqualTo("iam:arn:aws:iam::123456789012:user/ci/deploy-bot|AIDAXMPLEXAMPLEUSER1");
    }

    @Test
    void twoSessionsOfOneCognitoIdentityAreOneCaller() {
        String first = caller("submit-task-cognito.json");
        String refreshed = caller("submit-task-cognito-refreshed.json");

        assertThat(refreshed).isEqualTo(first).isEqualTo("cognito:us-east-1:0b7e2d6a-3c1f-4a5e-9d8b-7c6f5e4d3a2b"
                + "|us-east-1:5d2c8f1e-7a3b-4c9d-8e6f-1a2b3c4d5e6f");
    }

    @Test
    void twoCognitoIdentitiesSharingARoleAreTwoCallers() {
        APIGatewayV2HTTPEvent alice = LambdaEvents.load("submit-task-cognito.json", APIGatewayV2HTTPEvent.class);
        APIGatewayV2HTTPEvent bob = LambdaEvents.load("submit-task-cognito-other-identity.json", APIGatewayV2HTTPEvent.class);

        assertThat(bob.getRequestContext().getAuthorizer().getIam().getUserArn())
                .isEqualTo(alice.getRequestContext().getAuthorizer().getIam().getUserArn());
        assertThat(ApiGatewayHttp.toRequest(bob).caller()).isNotEqualTo(ApiGatewayHttp.toRequest(alice).caller());
        assertThat(caller("submit-task-cognito.json")).isNotEqualTo(caller("submit-task.json"));
    }

    @Test
    void aSessionNameCannotBorrowAnotherRolesIdentity() {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task-other-session.json", APIGatewayV2HTTPEvent.class);
        APIGatewayV2HTTPEvent.RequestContext.IAM iam = event.getRequestContext().getAuthorizer().getIam();
        iam.setUserArn("arn:aws:sts::123456789012:assumed-role/agent-tasks-caller/other-role|AROAXMPLEOTHERROLE99");
        iam.setUserId("AROAXMPLEXAMPLEROLE1:other-role|AROAXMPLEOTHERROLE99");

        assertThat(ApiGatewayHttp.toRequest(event).caller()).contains(caller("submit-task.json"));
    }

    @Test
    void anIamContextWithoutAPrincipalIdHasNoCaller() {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class);
        event.getRequestContext().getAuthorizer().getIam().setUserId(" ");

        assertThat(ApiGatewayHttp.toRequest(event).caller()).isEmpty();
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
