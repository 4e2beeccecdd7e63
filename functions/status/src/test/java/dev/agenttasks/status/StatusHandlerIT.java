package dev.agenttasks.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.config.Config;
import dev.agenttasks.submit.SubmitHandler;
import dev.agenttasks.testkit.LambdaEvents;
import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.testkit.TestContext;

/**
 * StatusFunction's handler fed events/get-task.json and events/health.json against moto; the task is
 * created the way a caller creates it, by SubmitHandler fed events/submit-task.json.
 */
class StatusHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceWiring wiring;
    private StatusHandler handler;
    private String taskId;

    @BeforeEach
    void setUp() throws Exception {
        wiring = new ServiceWiring(Config.of(MotoEnvironment.fresh()), Clock.systemUTC());
        handler = new StatusHandler(wiring);
        APIGatewayV2HTTPResponse submitted = new SubmitHandler(wiring).handleRequest(
                LambdaEvents.load("submit-task.json", APIGatewayV2HTTPEvent.class), TestContext.withTimeout(30_000));
        assertThat(submitted.getStatusCode()).isEqualTo(202);
        taskId = JSON.readTree(submitted.getBody()).get("task_id").asText();
    }

    private APIGatewayV2HTTPResponse invoke(APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(event, TestContext.withTimeout(30_000));
    }

    /** events/get-task.json for {@code id} (the sample's own id is never stored). */
    private static APIGatewayV2HTTPEvent getTask(String id) {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("get-task.json", APIGatewayV2HTTPEvent.class);
        if (id != null) {
            event.getPathParameters().put("id", id);
            event.setRawPath("/tasks/" + id);
            event.getRequestContext().getHttp().setPath("/tasks/" + id);
        }
        return event;
    }

    private static APIGatewayV2HTTPEvent defaultRoute(String method, String path) {
        APIGatewayV2HTTPEvent event = LambdaEvents.load("get-task.json", APIGatewayV2HTTPEvent.class);
        event.setRouteKey("$default");
        event.getRequestContext().setRouteKey("$default");
        event.setPathParameters(null);
        event.setRawPath(path);
        event.getRequestContext().getHttp().setPath(path);
        event.getRequestContext().getHttp().setMethod(method);
        return event;
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        return JSON.readTree(response.getBody());
    }

    private static void assertProblem(APIGatewayV2HTTPResponse response, int status, String slug) throws Exception {
        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(body(response).get("type").asText()).isEqualTo("urn:agent-tasks:problem:" + slug);
        assertThat(body(response).get("status").asInt()).isEqualTo(status);
    }

    @Test
    void theOwnerGetsTheTask() throws Exception {
        APIGatewayV2HTTPResponse response = invoke(getTask(taskId));

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json");
        JsonNode task = body(response);
        assertThat(task.get("task_id").asText()).isEqualTo(taskId);
        assertThat(task.get("status").asText()).isEqualTo("pending");
        assertThat(task.has("result")).isTrue();
        assertThat(task.has("owner")).as("the owner is not shown").isFalse();
    }

    @Test
    void anotherCallerGetsTheSame404AsForAnUnknownId() throws Exception {
        APIGatewayV2HTTPEvent mallory = getTask(taskId);
        mallory.getRequestContext().getAuthorizer().getIam()
                .setUserArn("arn:aws:sts::123456789012:assumed-role/other-tenant/alice");
        mallory.getRequestContext().getAuthorizer().getIam().setUserId("AROAXMPLEOTHERTENANT:alice");

        APIGatewayV2HTTPResponse otherCaller = invoke(mallory);
        APIGatewayV2HTTPResponse unknown = invoke(getTask(null));

        assertProblem(otherCaller, 404, "task-not-found");
        assertProblem(unknown, 404, "task-not-found");
        assertThat(body(otherCaller).get("detail")).isEqualTo(body(unknown).get("detail"));
        assertThat(otherCaller.getBody()).doesNotContain("alice").doesNotContain("other-tenant");
    }

    /** A submission sample turned into {@code GET /tasks/{id}} by the same caller. */
    private static APIGatewayV2HTTPEvent getTaskAs(String submissionSample, String id) {
        APIGatewayV2HTTPEvent event = LambdaEvents.load(submissionSample, APIGatewayV2HTTPEvent.class);
        event.setRouteKey("ANY /tasks/{id}");
        event.getRequestContext().setRouteKey("ANY /tasks/{id}");
        event.getRequestContext().getHttp().setMethod("GET");
        event.setRawPath("/tasks/" + id);
        event.getRequestContext().getHttp().setPath("/tasks/" + id);
        event.setPathParameters(new HashMap<>(Map.of("id", id)));
        event.setBody(null);
        event.getHeaders().keySet().removeAll(java.util.Set.of("content-type", "content-length", "idempotency-key"));
        return event;
    }

    @Test
    void anotherSessionNameOfTheSameRoleReadsTheTask() throws Exception {
        APIGatewayV2HTTPResponse response = invoke(getTaskAs("submit-task-other-session.json", taskId));

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("task_id").asText()).isEqualTo(taskId);
    }

    @Test
    void aTaskSubmittedInOneCognitoSessionIsReadInTheIdentitysNextSessionAndByNoOtherIdentity() throws Exception {
        APIGatewayV2HTTPResponse submitted = new SubmitHandler(wiring).handleRequest(
                LambdaEvents.load("submit-task-cognito.json", APIGatewayV2HTTPEvent.class), TestContext.withTimeout(30_000));
        String cognitoTask = JSON.readTree(submitted.getBody()).get("task_id").asText();

        APIGatewayV2HTTPResponse refreshed = invoke(getTaskAs("submit-task-cognito-refreshed.json", cognitoTask));
        APIGatewayV2HTTPResponse otherIdentity = invoke(getTaskAs("submit-task-cognito-other-identity.json", cognitoTask));
        APIGatewayV2HTTPResponse sameRoleWithoutCognito = invoke(getTaskAs("submit-task.json", cognitoTask));

        assertThat(refreshed.getStatusCode()).isEqualTo(200);
        assertThat(body(refreshed).get("task_id").asText()).isEqualTo(cognitoTask);
        assertProblem(otherIdentity, 404, "task-not-found");
        assertProblem(sameRoleWithoutCognito, 404, "task-not-found");
    }

    @Test
    void aJwtCallerWithTheSameSubjectFromAnotherIssuerIsNotTheOwner() throws Exception {
        APIGatewayV2HTTPEvent viaJwt = LambdaEvents.load("submit-task-jwt.json", APIGatewayV2HTTPEvent.class);
        viaJwt.setRouteKey("ANY /tasks/{id}");
        viaJwt.getRequestContext().getHttp().setMethod("GET");
        viaJwt.setBody(null);
        viaJwt.setPathParameters(new HashMap<>(Map.of("id", taskId)));

        assertProblem(invoke(viaJwt), 404, "task-not-found");
    }

    @Test
    void aMalformedIdIs404() throws Exception {
        assertProblem(invoke(getTask("not-a-task-id")), 404, "task-not-found");
    }

    @Test
    void healthAnswers200WithoutACaller() throws Exception {
        APIGatewayV2HTTPResponse response = invoke(LambdaEvents.load("health.json", APIGatewayV2HTTPEvent.class));

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("status").asText()).isEqualTo("ok");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
    void anotherMethodOnATaskIs405WithAllowGet(String method) throws Exception {
        APIGatewayV2HTTPEvent event = getTask(taskId);
        event.getRequestContext().getHttp().setMethod(method);

        APIGatewayV2HTTPResponse response = invoke(event);

        assertProblem(response, 405, "method-not-allowed");
        assertThat(response.getHeaders()).containsEntry("Allow", "GET");
    }

    @Test
    void anUnknownRouteIs404ProblemJson() throws Exception {
        APIGatewayV2HTTPResponse response = invoke(defaultRoute("GET", "/nothing/here"));

        assertProblem(response, 404, "not-found");
        assertThat(body(response).get("instance").asText()).isEqualTo("/nothing/here");
    }

    @Test
    void anotherMethodOnHealthReachesTheDefaultRouteAndIs405() throws Exception {
        APIGatewayV2HTTPResponse response = invoke(defaultRoute("POST", "/health"));

        assertProblem(response, 405, "method-not-allowed");
        assertThat(response.getHeaders()).containsEntry("Allow", "GET");
    }

    @Test
    void theWebhookSecretRouteGivesTheCallerItsOwnSecretAndOtherMethodsAre405() throws Exception {
        APIGatewayV2HTTPEvent event = getTask(null);
        event.setRouteKey("GET /webhook-secret");
        event.getRequestContext().setRouteKey("GET /webhook-secret");
        event.setPathParameters(null);
        event.setRawPath("/webhook-secret");
        event.getRequestContext().getHttp().setPath("/webhook-secret");

        APIGatewayV2HTTPResponse response = invoke(event);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).get("secret").asText()).startsWith("whsec_");
        assertThat(response.getHeaders()).containsEntry("Cache-Control", "no-store");
        assertProblem(invoke(defaultRoute("POST", "/webhook-secret")), 405, "method-not-allowed");
    }

    @Test
    void anotherMethodOnTheCancelPathReachesTheDefaultRouteAndIs405WithAllowPost() throws Exception {
        APIGatewayV2HTTPResponse response = invoke(defaultRoute("GET", "/tasks/" + taskId + "/cancel"));

        assertProblem(response, 405, "method-not-allowed");
        assertThat(response.getHeaders()).containsEntry("Allow", "POST");
    }

    @Test
    void aPostTheCancelRouteDidNotTakeIsNotFound() throws Exception {
        assertProblem(invoke(defaultRoute("POST", "/tasks/..%2Fhealth/cancel")), 404, "not-found");
    }
}
