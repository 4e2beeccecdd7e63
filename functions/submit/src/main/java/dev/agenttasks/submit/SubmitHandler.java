package dev.agenttasks.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.agenttasks.api.Problem;
import dev.agenttasks.api.ProblemException;
import dev.agenttasks.api.ProblemType;
import dev.agenttasks.api.SubmitTaskApi;
import dev.agenttasks.apigateway.ApiGatewayHttp;
import dev.agenttasks.apigateway.SampleEvents;
import dev.agenttasks.domain.metrics.Metric;
import dev.agenttasks.domain.metrics.Metrics;
import dev.agenttasks.lambda.InvocationLog;
import dev.agenttasks.lambda.SnapStartHooks;
import dev.agenttasks.wiring.ServiceWiring;

/**
 * SubmitFunction: {@code POST /tasks} (other methods on {@code /tasks} reach the status function). Counts
 * {@code TasksSubmitted} (a new task: 202, or 200 when {@code Prefer: wait} saw it finish) and
 * {@code IdempotentReplays} (200 with {@code Idempotent-Replayed}).
 */
public class SubmitHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final SubmitTaskApi api;
    private final Metrics metrics;
    private final InvocationLog invocationLog = new InvocationLog();
    /** Held here: CRaC's context keeps its resources only weakly. */
    private final SnapStartHooks snapStart;

    public SubmitHandler() {
        this(ServiceWiring.fromEnvironment());
    }

    public SubmitHandler(ServiceWiring wiring) {
        this.api = wiring.submitTaskApi();
        this.metrics = wiring.metrics();
        this.snapStart = SnapStartHooks.register("SubmitFunction", () -> prime(wiring), () -> { });
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return invocationLog.around(context, () -> {
            APIGatewayV2HTTPResponse response = route(event, api);
            boolean replayed = response.getHeaders() != null && "true".equals(response.getHeaders().get(REPLAYED_HEADER));
            if (response.getStatusCode() == 200 && replayed) {
                metrics.put(Metric.IDEMPOTENT_REPLAYS, 1);
            } else if (response.getStatusCode() == 202 || response.getStatusCode() == 200) {
                metrics.put(Metric.TASKS_SUBMITTED, 1);
            }
            return response;
        });
    }

    private static APIGatewayV2HTTPResponse route(APIGatewayV2HTTPEvent event, SubmitTaskApi api) {
        String route = ApiGatewayHttp.routeKey(event);
        return ApiGatewayHttp.handle(event, request -> switch (route) {
            case "POST /tasks", "ANY /tasks" -> request.method().equals("POST") ? api.handle(request)
                    : Problem.methodNotAllowed(request, "POST");
            default -> throw new ProblemException(ProblemType.NOT_FOUND, "no resource at " + request.path());
        });
    }

    /**
     * Before the snapshot: a whole submission, parsing to PutItem, SendMessage and UpdateItem, over clients that
     * answer in memory (nothing is stored or sent), then the HTTPS client's connection setup without connecting.
     */
    static void prime(ServiceWiring wiring) {
        try (ServiceWiring priming = wiring.forPriming()) {
            route(SampleEvents.request("ANY /tasks", "POST", "/tasks", null,
                    "{\"task\":\"What is a snapshot?\",\"max_tokens\":16}"), priming.submitTaskApi());
        }
        wiring.aws().primeHttpClient();
    }
}
