package dev.agenttasks.domain.routing;

import java.util.List;

import dev.agenttasks.config.ConfigurationException;

/**
 * A routing configuration that cannot be used. The message names the source (file or SSM parameter) and every
 * problem as {@code <JSON pointer>: <what is wrong>}; a function fails at start with it.
 */
public final class RoutingConfigException extends ConfigurationException {

    private final String source;
    private final List<String> problems;

    RoutingConfigException(String source, List<String> problems) {
        super(message(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** Where the configuration came from, e.g. {@code file /etc/agent-tasks/routing.json}. */
    public String source() {
        return source;
    }

    /** Each problem as {@code <JSON pointer>: <what is wrong>} (or a whole-document problem). */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        return "routing configuration " + source + " is invalid"
                + (problems.size() == 1 ? ": " + problems.get(0)
                : " (" + problems.size() + " problems): " + String.join("; ", problems));
    }
}
