package dev.agenttasks.status;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.agenttasks.api.GetTaskApi;
import dev.agenttasks.api.Problem;
import dev.agenttasks.api.ProblemException;
import dev.agenttasks.api.ProblemType;
import dev.agenttasks.apigateway.ApiGatewayHttp;
import dev.agenttasks.apigateway.SampleEvents;
import dev.agenttasks.domain.logging.LogContext;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.lambda.InvocationLog;
import dev.agenttasks.lambda.SnapStartHooks;
import dev.agenttasks.wiring.ServiceWiring;

/**
 * StatusFunction: {@code GET /tasks/{id}}, {@code GET /health}, and API Gateway's {@code $default} route, so
 * a wrong method is a 405 with {@code Allow} and an unknown route a 404, both as problem+json.
 */
public class StatusHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    static final String HEALTH_PATH = "/health";

    private final GetTaskApi api;
    private final InvocationLog invocationLog = new InvocationLog();
    /** Held here: CRaC's context keeps its resources only weakly. */
    private final SnapStartHooks snapStart;

    public StatusHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public StatusHandler(ServiceWiring wiring) {
        this.api = wiring.getTaskApi();
        this.snapStart = SnapStartHooks.register("StatusFunction", () -> prime(wiring), () -> { });
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return invocationLog.around(context, () -> {
            if (event.getPathParameters() != null) {
                LogContext.putTaskId(event.getPathParameters().get("id"));
            }
            return route(event, api);
        });
    }

    private static APIGatewayV2HTTPResponse route(APIGatewayV2HTTPEvent event, GetTaskApi api) {
        String route = ApiGatewayHttp.routeKey(event);
        return ApiGatewayHttp.handle(event, request -> switch (route) {
            case "ANY /tasks/{id}", "GET /tasks/{id}" -> request.method().equals("GET") ? api.handle(request)
                    : Problem.methodNotAllowed(request, "GET");
            case "GET /health" -> api.health();
            // GET /health has its own route; any other method on it falls through to $default.
            case "$default" -> {
                if (!request.path().equals(HEALTH_PATH)) {
                    throw new ProblemException(ProblemType.NOT_FOUND, "no resource at " + request.path());
                }
                yield request.method().equals("GET") ? api.health() : Problem.methodNotAllowed(request, "GET");
            }
            default -> throw new ProblemException(ProblemType.NOT_FOUND, "no resource at " + request.path());
        });
    }

    /** Before the snapshot: a status read (GetItem, answered in memory: 404) and a health check, nothing sent. */
    static void prime(ServiceWiring wiring) {
        try (ServiceWiring priming = wiring.forPriming()) {
            GetTaskApi api = priming.getTaskApi();
            String id = TaskIds.newId();
            route(SampleEvents.request("ANY /tasks/{id}", "GET", "/tasks/" + id, Map.of("id", id), null), api);
            route(SampleEvents.request("GET /health", "GET", HEALTH_PATH, null, null), api);
        }
        wiring.aws().primeHttpClient();
    }
}
