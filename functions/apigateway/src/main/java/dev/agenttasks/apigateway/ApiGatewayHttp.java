package dev.agenttasks.apigateway;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.agenttasks.api.ApiErrors;
import dev.agenttasks.api.HttpRequest;
import dev.agenttasks.api.HttpResponse;
import dev.agenttasks.api.ProblemException;
import dev.agenttasks.api.ProblemType;

/**
 * Glue between API Gateway HTTP API (payload format 2.0) and the core API: builds an {@link HttpRequest},
 * takes the caller from the authorizer context only, and renders the {@link HttpResponse}.
 */
public final class ApiGatewayHttp {

    private ApiGatewayHttp() {
    }

    public static APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Function<HttpRequest, HttpResponse> operation) {
        HttpRequest request = toRequest(event);
        HttpResponse response = ApiErrors.guard(request, r -> {
            if (event.getIsBase64Encoded() && r.body() == null && event.getBody() != null) {
                throw new ProblemException(ProblemType.MALFORMED_REQUEST, "the request body is not valid base64 UTF-8");
            }
            return operation.apply(r);
        });
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.status())
                .withHeaders(response.headers())
                .withBody(response.body())
                .withIsBase64Encoded(false)
                .build();
    }

    /** The route key API Gateway matched, e.g. {@code GET /tasks/{id}}. */
    public static String routeKey(APIGatewayV2HTTPEvent event) {
        return event.getRouteKey() == null ? "" : event.getRouteKey();
    }

    static HttpRequest toRequest(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        String method = context != null && context.getHttp() != null ? context.getHttp().getMethod() : null;
        String path = context != null && context.getHttp() != null ? context.getHttp().getPath() : event.getRawPath();
        String requestId = context == null ? null : context.getRequestId();
        return new HttpRequest(method, path == null ? "/" : path, event.getHeaders(), event.getPathParameters(),
                event.getQueryStringParameters(),
                body(event), caller(context), requestId == null ? "-" : requestId);
    }

    /**
     * The authenticated caller, from the authorizer context only (nothing in the body or headers can set it):
     * a JWT authorizer's {@code jwt:<iss>|<sub>}, or for IAM auth {@link IamCaller#of}.
     */
    static Optional<String> caller(APIGatewayV2HTTPEvent.RequestContext context) {
        if (context == null || context.getAuthorizer() == null) {
            return Optional.empty();
        }
        APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = context.getAuthorizer();
        if (authorizer.getJwt() != null && authorizer.getJwt().getClaims() != null) {
            Map<String, String> claims = authorizer.getJwt().getClaims();
            String sub = claims.get("sub");
            if (sub != null && !sub.isBlank()) {
                String issuer = claims.get("iss");
                return Optional.of("jwt:" + (issuer == null ? "" : issuer) + "|" + sub);
            }
        }
        return authorizer.getIam() == null ? Optional.empty() : IamCaller.of(authorizer.getIam());
    }

    private static String body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null || !event.getIsBase64Encoded()) {
            return body;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(body);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
    }
}
