package dev.agenttasks.api;

import java.util.function.Function;

import dev.agenttasks.domain.port.DependencyUnavailableException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an API operation and turns every failure into a problem response: expected ones as they were
 * raised, anything else as a 500 (or 503 for an unavailable dependency) with no internal detail.
 */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    public static HttpResponse guard(HttpRequest request, Function<HttpRequest, HttpResponse> operation) {
        try {
            return operation.apply(request);
        } catch (ProblemException e) {
            return e.problem().withInstance(request.path()).toResponse();
        } catch (DependencyUnavailableException e) {
            LOG.error("dependency unavailable while serving {} {} (request {})", request.method(), request.path(),
                    request.requestId(), e);
            return Problem.of(ProblemType.SERVICE_UNAVAILABLE, "the service is briefly unavailable; retry shortly")
                    .withInstance(request.path()).toResponse().withHeader("Retry-After", "1");
        } catch (RuntimeException e) {
            LOG.error("unexpected failure serving {} {} (request {})", request.method(), request.path(),
                    request.requestId(), e);
            return Problem.of(ProblemType.INTERNAL_ERROR, "an internal error occurred; request id "
                    + request.requestId()).withInstance(request.path()).toResponse();
        }
    }
}
