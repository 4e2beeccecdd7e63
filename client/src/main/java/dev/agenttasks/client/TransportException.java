package dev.agenttasks.client;

/** No answer from the API (refused, reset, timed out) after every attempt the retry policy allows. */
public final class TransportException extends AgentTasksException {

    private final int attempts;

    public TransportException(String message, int attempts, Throwable cause) {
        super(message, cause);
        this.attempts = attempts;
    }

    /** How many times the request was sent. */
    public int attempts() {
        return attempts;
    }
}
