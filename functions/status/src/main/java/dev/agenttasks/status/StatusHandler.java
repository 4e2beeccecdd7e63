package dev.agenttasks.status;

import java.util.Map;
import java.util.function.Function;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.agenttasks.api.CancelTaskApi;
import dev.agenttasks.api.GetTaskApi;
import dev.agenttasks.api.HttpRequest;
import dev.agenttasks.api.HttpResponse;
import dev.agenttasks.api.ListTasksApi;
import dev.agenttasks.api.Problem;
import dev.agenttasks.api.ProblemException;
import dev.agenttasks.api.ProblemType;
import dev.agenttasks.api.WebhookSecretApi;
import dev.agenttasks.apigateway.ApiGatewayHttp;
import dev.agenttasks.apigateway.SampleEvents;
import dev.agenttasks.domain.logging.LogContext;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.lambda.InvocationLog;
import dev.agenttasks.lambda.SnapStartHooks;
import dev.agenttasks.wiring.ServiceWiring;

/**
 * StatusFunction: every route but {@code POST /tasks} — {@code GET /tasks/{id}}, {@code GET /tasks},
 * {@code POST /tasks/{id}/cancel}, {@code GET /webhook-secret}, {@code GET /health}, and API Gateway's {@code $default} route, so a wrong
 * method is a 405 with {@code Allow} and an unknown route a 404, both as problem+json.
 */
public class StatusHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    static final String HEALTH_PATH = "/health";
    static final String TASKS_PATH = "/tasks";
    static final String WEBHOOK_SECRET_PATH = "/webhook-secret";
    /** API Gateway routes only POST to the cancel path; other methods arrive at $default. */
    static final java.util.regex.Pattern CANCEL_PATH = java.util.regex.Pattern.compile("/tasks/[^/]+/cancel");

    /** The status function's operations. */
    private record Operations(GetTaskApi getTask, ListTasksApi listTasks, CancelTaskApi cancelTask,
                              WebhookSecretApi webhookSecret) {
        static Operations of(ServiceWiring wiring) {
            return new Operations(wiring.getTaskApi(), wiring.listTasksApi(), wiring.cancelTaskApi(),
                    wiring.webhookSecretApi());
        }
    }

    private final Operations operations;
    private final InvocationLog invocationLog = new InvocationLog();
    /** Held here: CRaC's context keeps its resources only weakly. */
    private final SnapStartHooks snapStart;

    public StatusHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public StatusHandler(ServiceWiring wiring) {
        this.operations = Operations.of(wiring);
        this.snapStart = SnapStartHooks.register("StatusFunction", () -> prime(wiring), () -> { });
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return invocationLog.around(context, () -> {
            if (event.getPathParameters() != null) {
                LogContext.putTaskId(event.getPathParameters().get("id"));
            }
            return route(event, operations);
        });
    }

    private static APIGatewayV2HTTPResponse route(APIGatewayV2HTTPEvent event, Operations api) {
        String route = ApiGatewayHttp.routeKey(event);
        return ApiGatewayHttp.handle(event, request -> switch (route) {
            case "ANY /tasks/{id}", "GET /tasks/{id}" -> only("GET", request, api.getTask()::handle);
            case "GET /tasks" -> api.listTasks().handle(request);
            case "ANY /tasks/{id}/cancel", "POST /tasks/{id}/cancel" -> only("POST", request, api.cancelTask()::handle);
            case "GET /health" -> api.getTask().health();
            case "GET /webhook-secret" -> api.webhookSecret().handle(request);
            // Other methods on /health and /tasks fall through to $default.
            case "$default" -> switch (request.path()) {
                case HEALTH_PATH -> only("GET", request, r -> api.getTask().health());
                case TASKS_PATH -> Problem.methodNotAllowed(request, "GET, POST");
                case WEBHOOK_SECRET_PATH -> Problem.methodNotAllowed(request, "GET");
                default -> {
                    // A POST here is one the cancel route did not take (an id with an encoded slash): no such task.
                    if (CANCEL_PATH.matcher(request.path()).matches() && !request.method().equals("POST")) {
                        yield Problem.methodNotAllowed(request, "POST");
                    }
                    throw new ProblemException(ProblemType.NOT_FOUND, "no resource at " + request.path());
                }
            };
            default -> throw new ProblemException(ProblemType.NOT_FOUND, "no resource at " + request.path());
        });
    }

    private static HttpResponse only(String method, HttpRequest request, Function<HttpRequest, HttpResponse> operation) {
        return request.method().equals(method) ? operation.apply(request) : Problem.methodNotAllowed(request, method);
    }

    /**
     * Before the snapshot: a status read (GetItem, answered in memory: 404), a list and a health check, over
     * clients that answer in memory; nothing is sent.
     */
    static void prime(ServiceWiring wiring) {
        try (ServiceWiring priming = wiring.forPriming()) {
            Operations api = Operations.of(priming);
            String id = TaskIds.newId();
            route(SampleEvents.request("ANY /tasks/{id}", "GET", "/tasks/" + id, Map.of("id", id), null), api);
            route(SampleEvents.request("GET /health", "GET", HEALTH_PATH, null, null), api);
        }
        wiring.aws().primeHttpClient();
    }
}
