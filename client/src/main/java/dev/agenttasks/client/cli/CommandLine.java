package dev.agenttasks.client.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parsed command line: options ({@code --name value}, {@code --name=value}, or a flag) anywhere on the
 * line, the rest positional; {@code --} ends the options.
 */
final class CommandLine {

    /** A usage error: exit code 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> options;
    private final List<String> positional;

    private CommandLine(Map<String, String> options, List<String> positional) {
        this.options = options;
        this.positional = positional;
    }

    /**
     * @param valued the options that take a value
     * @param flags  the options that take none
     */
    static CommandLine parse(String[] args, Set<String> valued, Set<String> flags) throws UsageException {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        boolean onlyPositional = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (onlyPositional || !arg.startsWith("-") || arg.equals("-")) {
                positional.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                onlyPositional = true;
                continue;
            }
            String name = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            if (name.equals("-h")) {
                name = "--help";
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException(name + " takes no value");
                }
                options.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = args[++i];
                }
                if (options.containsKey(name)) {
                    throw new UsageException(name + " is given twice");
                }
                options.put(name, value);
            } else {
                throw new UsageException("unknown option " + name);
            }
        }
        return new CommandLine(options, positional);
    }

    /** Whether the option (a flag, or one with a value) was given. */
    boolean has(String name) {
        return options.containsKey(name);
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** A whole number from {@code min} to {@code max}, if given. */
    Optional<Integer> number(String name, int min, int max) throws UsageException {
        Optional<String> raw = value(name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            int number = Integer.parseInt(raw.get().strip());
            if (number >= min && number <= max) {
                return Optional.of(number);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(name + " must be a whole number from " + min + " to " + max + ", got '" + raw.get() + "'");
    }

    List<String> positional() {
        return positional;
    }
}
