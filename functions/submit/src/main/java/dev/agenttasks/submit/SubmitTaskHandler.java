package dev.agenttasks.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.agenttasks.apigateway.ApiGatewayHttp;
import dev.agenttasks.core.ServiceWiring;
import dev.agenttasks.core.http.SubmitTaskApi;

/** SubmitFunction: {@code POST /tasks}. */
public class SubmitTaskHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final SubmitTaskApi api;

    public SubmitTaskHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public SubmitTaskHandler(ServiceWiring wiring) {
        this.api = wiring.submitTaskApi();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return ApiGatewayHttp.handle(event, api::handle);
    }
}
