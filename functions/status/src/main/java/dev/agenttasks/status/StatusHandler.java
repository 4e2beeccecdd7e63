package dev.agenttasks.status;

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
import dev.agenttasks.apigateway.ApiGatewayHttp;
import dev.agenttasks.wiring.ServiceWiring;

/**
 * StatusFunction: every route but {@code POST /tasks} — {@code GET /tasks/{id}}, {@code GET /tasks},
 * {@code POST /tasks/{id}/cancel}, {@code GET /health}, and API Gateway's {@code $default} route, so a wrong
 * method is a 405 with {@code Allow} and an unknown route a 404, both as problem+json.
 */
public class StatusHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    static final String HEALTH_PATH = "/health";
    static final String TASKS_PATH = "/tasks";

    private final GetTaskApi getTask;
    private final ListTasksApi listTasks;
    private final CancelTaskApi cancelTask;

    public StatusHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public StatusHandler(ServiceWiring wiring) {
        this.getTask = wiring.getTaskApi();
        this.listTasks = wiring.listTasksApi();
        this.cancelTask = wiring.cancelTaskApi();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String route = ApiGatewayHttp.routeKey(event);
        return ApiGatewayHttp.handle(event, request -> switch (route) {
            case "ANY /tasks/{id}", "GET /tasks/{id}" -> only("GET", request, getTask::handle);
            case "GET /tasks" -> listTasks.handle(request);
            case "ANY /tasks/{id}/cancel", "POST /tasks/{id}/cancel" -> only("POST", request, cancelTask::handle);
            case "GET /health" -> getTask.health();
            // Other methods on /health and /tasks fall through to $default.
            case "$default" -> switch (request.path()) {
                case HEALTH_PATH -> only("GET", request, r -> getTask.health());
                case TASKS_PATH -> Problem.methodNotAllowed(request, "GET, POST");
                default -> throw new ProblemException(ProblemType.NOT_FOUND, "no resource at " + request.path());
            };
            default -> throw new ProblemException(ProblemType.NOT_FOUND, "no resource at " + request.path());
        });
    }

    private static HttpResponse only(String method, HttpRequest request,
                                     java.util.function.Function<HttpRequest, HttpResponse> operation) {
        return request.method().equals(method) ? operation.apply(request) : Problem.methodNotAllowed(request, method);
    }
}
