package dev.agenttasks.apigateway;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

/**
 * Synthetic API Gateway events for priming a handler before a SnapStart snapshot: shaped like the real ones
 * (payload format 2.0, a JWT caller) so the handler's whole parsing path runs. Never sent anywhere.
 */
public final class SampleEvents {

    /** The caller of every sample event. */
    public static final String CALLER = "snapstart-priming";

    private SampleEvents() {
    }

    public static APIGatewayV2HTTPEvent request(String routeKey, String method, String path,
                                                Map<String, String> pathParameters, String body) {
        APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT jwt = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
        jwt.setClaims(Map.of("iss", "https://priming.invalid", "sub", CALLER));
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setJwt(jwt);
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath(path);
        http.setProtocol("HTTP/1.1");
        http.setSourceIp("127.0.0.1");
        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setHttp(http);
        context.setAuthorizer(authorizer);
        context.setRequestId("snapstart-priming");
        context.setRouteKey(routeKey);
        context.setStage("$default");
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion("2.0");
        event.setRouteKey(routeKey);
        event.setRawPath(path);
        event.setHeaders(body == null ? Map.of() : Map.of("content-type", "application/json"));
        event.setPathParameters(pathParameters);
        event.setBody(body);
        event.setIsBase64Encoded(false);
        event.setRequestContext(context);
        return event;
    }
}
