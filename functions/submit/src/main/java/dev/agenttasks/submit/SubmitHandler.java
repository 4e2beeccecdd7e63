package dev.agenttasks.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.agenttasks.apigateway.ApiGatewayHttp;
import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.api.Problem;
import dev.agenttasks.api.ProblemException;
import dev.agenttasks.api.ProblemType;
import dev.agenttasks.api.SubmitTaskApi;

/** SubmitFunction: {@code POST /tasks}. (Other methods on {@code /tasks} reach the status function.) */
public class SubmitHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final SubmitTaskApi api;

    public SubmitHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public SubmitHandler(ServiceWiring wiring) {
        this.api = wiring.submitTaskApi();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String route = ApiGatewayHttp.routeKey(event);
        return ApiGatewayHttp.handle(event, request -> switch (route) {
            case "ANY /tasks", "POST /tasks" -> request.method().equals("POST") ? api.handle(request)
                    : Problem.methodNotAllowed(request, "POST");
            default -> throw new ProblemException(ProblemType.NOT_FOUND, "no resource at " + request.path());
        });
    }
}
