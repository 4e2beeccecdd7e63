package dev.agenttasks.status;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.agenttasks.apigateway.ApiGatewayHttp;
import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.api.GetTaskApi;
import dev.agenttasks.api.Problem;
import dev.agenttasks.api.ProblemException;
import dev.agenttasks.api.ProblemType;

/**
 * StatusFunction: {@code GET /tasks/{id}}, {@code GET /health}, and API Gateway's {@code $default} route, so
 * a wrong method is a 405 with {@code Allow} and an unknown route a 404, both as problem+json.
 */
public class StatusHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    static final String HEALTH_PATH = "/health";

    private final GetTaskApi api;

    public StatusHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public StatusHandler(ServiceWiring wiring) {
        this.api = wiring.getTaskApi();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
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
}
