package dev.agenttasks.status;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.agenttasks.apigateway.ApiGatewayHttp;
import dev.agenttasks.core.ServiceWiring;
import dev.agenttasks.core.http.GetTaskApi;
import dev.agenttasks.core.http.ProblemException;
import dev.agenttasks.core.http.ProblemType;

/** StatusFunction: {@code GET /tasks/{id}} and {@code GET /health}. */
public class GetTaskHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final GetTaskApi api;

    public GetTaskHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public GetTaskHandler(ServiceWiring wiring) {
        this.api = wiring.getTaskApi();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String route = ApiGatewayHttp.routeKey(event);
        return ApiGatewayHttp.handle(event, request -> switch (route) {
            case "GET /health" -> api.health();
            case "GET /tasks/{id}" -> api.handle(request);
            default -> throw new ProblemException(ProblemType.NOT_FOUND, "no route " + route);
        });
    }
}
