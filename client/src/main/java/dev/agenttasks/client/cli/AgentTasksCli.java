package dev.agenttasks.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.agenttasks.client.AgentTasksClient;
import dev.agenttasks.client.AgentTasksException;
import dev.agenttasks.client.Auth;
import dev.agenttasks.client.AwaitTimeoutException;
import dev.agenttasks.client.AwsCredentials;
import dev.agenttasks.client.ListRequest;
import dev.agenttasks.client.ProblemException;
import dev.agenttasks.client.Submission;
import dev.agenttasks.client.SubmitRequest;
import dev.agenttasks.client.TaskPage;
import dev.agenttasks.client.TaskStatus;
import dev.agenttasks.client.TaskView;
import dev.agenttasks.client.TransportException;

/** {@code agent-tasks}: the Agent Tasks API from a shell. See {@link #HELP}. */
public final class AgentTasksCli {

    public static final int OK = 0;
    public static final int TASK_UNSUCCESSFUL = 1;
    public static final int USAGE = 2;
    public static final int API_REFUSED = 3;
    public static final int API_UNAVAILABLE = 4;
    public static final int WAIT_TIMED_OUT = 5;

    static final String DEFAULT_URL = "http://127.0.0.1:3000";
    static final int DEFAULT_WAIT_SECONDS = 600;
    static final int DEFAULT_LIST_LIMIT = 20;

    static final String HELP = """
            usage: agent-tasks [options] <command> [arguments]

            Submit LLM tasks to an Agent Tasks API, read them, cancel them, list them.

            commands:
              submit <task>         submit a task ("-" reads the task from standard input)
              get <task-id>         show a task
              cancel <task-id>      cancel a task: a pending one at once, a running one at its next step
              list                  your tasks, newest first
              webhook-secret        print the secret your webhooks are signed with (whsec_...)

            options for every command:
              --url <url>           the API (default: $AGENT_TASKS_URL, else http://127.0.0.1:3000)
              --token <token>       send Authorization: Bearer <token> (default: $AGENT_TASKS_TOKEN)
              --sigv4 <region>      sign requests with AWS SigV4 (deployments with IAM auth), using
                                    AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
              --json                print the API's JSON (errors: the problem document) instead of text
              -h, --help            show this help

            submit options:
              --wait                wait for the task to finish and print its outcome
              --timeout <seconds>   how long --wait waits (default 600)
              --system <text>       a system prompt
              --tier <name>         a model tier the deployment defines
              --max-tokens <n>      the answer's token limit
              --max-total-tokens <n>  the task's token budget across all provider calls
              --callback-url <url>  where the final task view is POSTed (a signed webhook)
              --idempotency-key <key>  the request's key (default: a new random one, sent with every
                                    retry); resending a key returns the task it made, never a second one

            get options:
              --wait                wait for the task to finish
              --timeout <seconds>   how long --wait waits (default 600)

            list options:
              --status <status>     only tasks in pending, running, complete, failed or cancelled
              --limit <n>           at most n tasks (default 20)

            exit codes:
              0  success (submit --wait, get --wait: the task completed)
              1  the task failed or was cancelled (submit --wait, get, get --wait)
              2  usage error: unknown command or option, bad value
              3  the API refused the request (4xx: not found, invalid, unauthenticated, not cancellable...)
              4  the API failed or could not be reached (5xx, network), after retries
              5  --wait timed out; the task goes on (see it with: agent-tasks get <task-id>)

            Network errors, 429 and 5xx answers are retried with backoff; a submit keeps its idempotency
            key across retries, so it never makes two tasks.
            """;

    private static final Set<String> GLOBAL_VALUED = Set.of("--url", "--token", "--sigv4");
    private static final Set<String> GLOBAL_FLAGS = Set.of("--json", "--help");
    private static final Map<String, Set<String>> COMMAND_OPTIONS = Map.of(
            "submit", Set.of("--wait", "--timeout", "--system", "--tier", "--max-tokens", "--max-total-tokens",
                    "--callback-url", "--idempotency-key"),
            "get", Set.of("--wait", "--timeout"),
            "cancel", Set.of(),
            "list", Set.of("--status", "--limit"),
            "webhook-secret", Set.of());
    private static final Set<String> FLAGS = Set.of("--json", "--help", "--wait");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private boolean json;

    AgentTasksCli(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(new AgentTasksCli(System.getenv(), System.in, out, err).run(args));
    }

    /** Runs one command line; returns the exit code. */
    int run(String[] args) {
        CommandLine line;
        try {
            Set<String> valued = new HashSet<>(GLOBAL_VALUED);
            COMMAND_OPTIONS.values().forEach(valued::addAll);
            valued.removeAll(FLAGS);
            line = CommandLine.parse(args, valued, FLAGS);
        } catch (CommandLine.UsageException e) {
            return usage(e.getMessage());
        }
        json = line.has("--json");
        if (line.has("--help")) {
            out.print(HELP);
            return OK;
        }
        if (line.positional().isEmpty()) {
            err.print(HELP);
            return USAGE;
        }
        String command = line.positional().get(0);
        List<String> arguments = line.positional().subList(1, line.positional().size());
        Set<String> allowed = COMMAND_OPTIONS.get(command);
        if (allowed == null) {
            return usage("unknown command '" + command + "'");
        }
        for (String option : COMMAND_OPTIONS.values().stream().flatMap(Set::stream).toList()) {
            if (line.has(option) && !allowed.contains(option)) {
                return usage(option + " does not apply to " + command);
            }
        }
        try (AgentTasksClient client = client(line)) {
            return switch (command) {
                case "submit" -> submit(client, line, arguments);
                case "get" -> get(client, line, arguments);
                case "cancel" -> cancel(client, arguments);
                case "webhook-secret" -> webhookSecret(client, arguments);
                default -> list(client, line, arguments);
            };
        } catch (CommandLine.UsageException e) {
            return usage(e.getMessage());
        } catch (ProblemException e) {
            if (json && e.body().strip().startsWith("{")) {
                out.println(e.body().strip());
            }
            err.println("agent-tasks: " + e.getMessage());
            return e.isServerError() ? API_UNAVAILABLE : API_REFUSED;
        } catch (AwaitTimeoutException e) {
            e.lastSeen().ifPresent(this::print);
            err.println("agent-tasks: " + e.getMessage() + "; it goes on (agent-tasks get " + e.taskId() + ")");
            return WAIT_TIMED_OUT;
        } catch (TransportException e) {
            err.println("agent-tasks: " + e.getMessage() + resend(e));
            return API_UNAVAILABLE;
        } catch (AgentTasksException e) {
            err.println("agent-tasks: " + e.getMessage() + resend(e));
            return API_UNAVAILABLE;
        }
    }

    private int submit(AgentTasksClient client, CommandLine line, List<String> arguments) throws CommandLine.UsageException {
        if (arguments.size() != 1) {
            throw new CommandLine.UsageException("submit takes one task (quote it, or \"-\" to read standard input)");
        }
        String task = arguments.get(0).equals("-") ? readStandardInput() : arguments.get(0);
        SubmitRequest.Builder request = SubmitRequest.builder(task);
        line.value("--system").ifPresent(request::system);
        line.value("--tier").ifPresent(request::tier);
        line.number("--max-tokens", 1, Integer.MAX_VALUE).ifPresent(request::maxTokens);
        line.number("--max-total-tokens", 1, Integer.MAX_VALUE).ifPresent(request::maxTotalTokens);
        Optional<String> callback = line.value("--callback-url");
        if (callback.isPresent()) {
            try {
                request.callbackUrl(URI.create(callback.get()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.UsageException("--callback-url is not a URL: " + callback.get());
            }
        }
        Optional<String> key = line.value("--idempotency-key");
        if (key.isPresent()) {
            try {
                request.idempotencyKey(key.get());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.UsageException("--idempotency-key: " + e.getMessage());
            }
        }
        if (line.has("--wait")) {
            TaskView done = client.submitAndAwait(request.build(), waitTimeout(line));
            print(done);
            return outcome(done);
        }
        if (line.value("--timeout").isPresent()) {
            throw new CommandLine.UsageException("--timeout goes with --wait");
        }
        Submission submission = client.submit(request.build());
        print(submission.task());
        if (!json && submission.replayed()) {
            out.println("(an earlier request with this idempotency key made this task)");
        }
        return OK;
    }

    private int get(AgentTasksClient client, CommandLine line, List<String> arguments) throws CommandLine.UsageException {
        String id = single(arguments, "get");
        TaskView task;
        if (line.has("--wait")) {
            task = client.await(id, waitTimeout(line));
        } else if (line.value("--timeout").isPresent()) {
            throw new CommandLine.UsageException("--timeout goes with --wait");
        } else {
            task = client.get(id);
        }
        print(task);
        return outcome(task);
    }

    private int cancel(AgentTasksClient client, List<String> arguments) throws CommandLine.UsageException {
        TaskView task = client.cancel(single(arguments, "cancel"));
        print(task);
        if (!json && task.status() != TaskStatus.CANCELLED) {
            out.println("(cancellation requested: the task stops at its next step)");
        }
        return OK;
    }

    private int webhookSecret(AgentTasksClient client, List<String> arguments) throws CommandLine.UsageException {
        if (!arguments.isEmpty()) {
            throw new CommandLine.UsageException("webhook-secret takes no arguments, got '" + arguments.get(0) + "'");
        }
        String secret = client.webhookSecret();
        out.println(json ? JSON.createObjectNode().put("secret", secret).toString() : secret);
        return OK;
    }

    private int list(AgentTasksClient client, CommandLine line, List<String> arguments) throws CommandLine.UsageException {
        if (!arguments.isEmpty()) {
            throw new CommandLine.UsageException("list takes no arguments, got '" + arguments.get(0) + "'");
        }
        int limit = line.number("--limit", 1, Integer.MAX_VALUE).orElse(DEFAULT_LIST_LIMIT);
        ListRequest request = ListRequest.all();
        Optional<String> status = line.value("--status");
        if (status.isPresent()) {
            TaskStatus parsed = TaskStatus.of(status.get().toLowerCase(Locale.ROOT));
            if (parsed == TaskStatus.UNKNOWN) {
                throw new CommandLine.UsageException("--status must be pending, running, complete, failed or cancelled");
            }
            request = request.withStatus(parsed);
        }
        List<TaskView> tasks = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        ListRequest page = request.withLimit(Math.min(limit, ListRequest.MAX_LIMIT));
        while (tasks.size() < limit) {
            TaskPage result = client.list(page.withLimit(Math.min(limit - tasks.size(), ListRequest.MAX_LIMIT)));
            tasks.addAll(result.tasks().subList(0, Math.min(result.tasks().size(), limit - tasks.size())));
            cursor = result.nextCursor();
            if (cursor.isEmpty() || result.tasks().isEmpty()) {
                break;
            }
            page = page.withCursor(cursor.get());
        }
        if (json) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode array = body.putArray("tasks");
            for (TaskView task : tasks) {
                array.add(parse(task.json()));
            }
            body.put("next_cursor", cursor.orElse(null));
            out.println(body);
            return OK;
        }
        if (tasks.isEmpty()) {
            out.println("no tasks");
            return OK;
        }
        String format = "%-26s  %-9s  %-24s  %s%n";
        out.printf(format, "TASK_ID", "STATUS", "MODEL", "CREATED_AT");
        for (TaskView task : tasks) {
            out.printf(format, task.taskId(), task.status().value(), task.model().orElse("-"),
                    task.createdAt().map(Object::toString).orElse("-"));
        }
        if (cursor.isPresent()) {
            out.println("(more: --limit " + (limit * 2) + ")");
        }
        return OK;
    }

    private void print(TaskView task) {
        if (json) {
            out.println(task.json().strip());
            return;
        }
        String format = "%-12s %s%n";
        out.printf(format, "task_id", task.taskId());
        out.printf(format, "status", task.status().value());
        task.tier().ifPresent(tier -> out.printf(format, "tier", tier));
        task.model().ifPresent(model -> out.printf(format, "model", model));
        if (task.attempts() > 0) {
            out.printf(format, "attempts", task.attempts());
        }
        task.usage().ifPresent(usage -> out.printf(format, "tokens", usage.inputTokens() + " in, "
                + usage.outputTokens() + " out"));
        task.costUsd().ifPresent(cost -> out.printf(format, "cost_usd", cost.toPlainString()));
        task.durationMs().ifPresent(ms -> out.printf(format, "duration", ms + " ms"));
        task.createdAt().ifPresent(at -> out.printf(format, "created_at", at));
        task.updatedAt().ifPresent(at -> out.printf(format, "updated_at", at));
        task.cancelRequestedAt().ifPresent(at -> out.printf(format, "cancel_requested_at", at));
        task.waiting().ifPresent(waiting -> out.printf(format, "waiting", waiting.reason() + " (" + waiting.model() + ")"
                + waiting.until().map(until -> " until " + until).orElse("")));
        task.callback().ifPresent(callback -> out.printf(format, "callback", callback.status() + " after "
                + callback.attempts() + " attempt(s)" + callback.lastError().map(error -> ", last error " + error).orElse("")
                + ": " + callback.url()));
        task.error().ifPresent(error -> out.printf(format, "error", error.code() + ": " + error.message()));
        task.result().ifPresent(result -> {
            out.println();
            out.println(result);
        });
    }

    private static int outcome(TaskView task) {
        return task.status() == TaskStatus.FAILED || task.status() == TaskStatus.CANCELLED ? TASK_UNSUCCESSFUL : OK;
    }

    private AgentTasksClient client(CommandLine line) throws CommandLine.UsageException {
        String url = line.value("--url").or(() -> nonBlank(env.get("AGENT_TASKS_URL"))).orElse(DEFAULT_URL);
        AgentTasksClient.Builder builder = AgentTasksClient.builder();
        try {
            builder.baseUrl(URI.create(url));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.UsageException("--url must be an http(s) URL, got '" + url + "'");
        }
        Optional<String> token = line.value("--token").or(() -> nonBlank(env.get("AGENT_TASKS_TOKEN")));
        Optional<String> region = line.value("--sigv4");
        if (token.isPresent() && region.isPresent()) {
            throw new CommandLine.UsageException("--token and --sigv4 exclude each other");
        }
        if (region.isPresent()) {
            AwsCredentials credentials;
            try {
                credentials = AwsCredentials.fromEnvironment(env);
            } catch (IllegalStateException e) {
                throw new CommandLine.UsageException("--sigv4: " + e.getMessage());
            }
            builder.auth(Auth.sigV4(region.get(), () -> credentials));
        } else {
            token.ifPresent(t -> builder.auth(Auth.bearer(t)));
        }
        return builder.build();
    }

    private Duration waitTimeout(CommandLine line) throws CommandLine.UsageException {
        return Duration.ofSeconds(line.number("--timeout", 1, 86_400).orElse(DEFAULT_WAIT_SECONDS));
    }

    private String readStandardInput() throws CommandLine.UsageException {
        try {
            String task = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (task.isBlank()) {
                throw new CommandLine.UsageException("standard input held no task");
            }
            return task;
        } catch (IOException e) {
            throw new CommandLine.UsageException("could not read standard input: " + e.getMessage());
        }
    }

    private static String single(List<String> arguments, String command) throws CommandLine.UsageException {
        if (arguments.size() != 1) {
            throw new CommandLine.UsageException(command + " takes one task id");
        }
        return arguments.get(0);
    }

    private static String resend(AgentTasksException e) {
        return e.idempotencyKey().map(key -> "\nthe task may exist: resend with --idempotency-key '" + key
                + "' to get it without making a second one").orElse("");
    }

    private int usage(String message) {
        err.println("agent-tasks: " + message);
        err.println("see agent-tasks --help");
        return USAGE;
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }
}
