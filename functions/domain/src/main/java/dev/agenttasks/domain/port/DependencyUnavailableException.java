package dev.agenttasks.domain.port;

/** A store or queue the service depends on could not be reached or throttled us. */
public class DependencyUnavailableException extends RuntimeException {
    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
