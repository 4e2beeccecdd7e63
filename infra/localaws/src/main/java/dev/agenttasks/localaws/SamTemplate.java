package dev.agenttasks.localaws;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The parts of {@code template.yaml} the local stack needs: tables, queues, functions, their
 * HTTP routes and SQS event sources. Intrinsic functions ({@code !Ref}, {@code !GetAtt}, ...)
 * are kept as one-entry maps in their long form, e.g. {@code {"Ref": "TaskQueue"}}, except where a
 * number the local stack uses (a function's Timeout and MemorySize, an SQS event source's settings) is a
 * {@code !Ref} to a parameter: that reads the parameter's value, its Default unless {@link #withParameters}
 * overrides it.
 */
public final class SamTemplate {

    private final Map<String, Object> root;
    private final Map<String, String> parameterOverrides;

    private SamTemplate(Map<String, Object> root, Map<String, String> parameterOverrides) {
        this.root = root;
        this.parameterOverrides = parameterOverrides;
    }

    /** template.yaml in {@code start} or the nearest parent directory that has one. */
    public static Optional<Path> locate(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("template.yaml");
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public static SamTemplate load(Path path) {
        try (Reader reader = Files.newBufferedReader(path)) {
            return parse(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    @SuppressWarnings("unchecked")
    public static SamTemplate parse(Reader reader) {
        Object loaded = new Yaml(new IntrinsicTolerantConstructor()).load(reader);
        if (!(loaded instanceof Map)) {
            throw new IllegalArgumentException("template is not a YAML mapping");
        }
        return new SamTemplate((Map<String, Object>) loaded, Map.of());
    }

    /**
     * This template with some parameters' values given, as {@code sam deploy --parameter-overrides} gives them.
     *
     * @throws IllegalArgumentException when a name is not a parameter of the template
     */
    public SamTemplate withParameters(Map<String, String> values) {
        Map<String, Object> declared = map(root.get("Parameters"));
        for (String name : values.keySet()) {
            if (!declared.containsKey(name)) {
                throw new IllegalArgumentException("template.yaml has no parameter " + name + "; its parameters are "
                        + String.join(", ", declared.keySet()));
            }
        }
        Map<String, String> merged = new LinkedHashMap<>(parameterOverrides);
        merged.putAll(values);
        return new SamTemplate(root, Map.copyOf(merged));
    }

    /** A parameter's value: the one given to {@link #withParameters}, else its Default. */
    public Optional<String> parameterValue(String name) {
        if (parameterOverrides.containsKey(name)) {
            return Optional.of(parameterOverrides.get(name));
        }
        return Optional.ofNullable(map(map(root.get("Parameters")).get(name)).get("Default")).map(String::valueOf);
    }

    /** {@code value}, or the parameter's value when it is a {@code !Ref} to a parameter. */
    private Object resolved(Object value) {
        if (value instanceof Map<?, ?> intrinsic && intrinsic.size() == 1 && intrinsic.get("Ref") instanceof String name
                && map(root.get("Parameters")).containsKey(name)) {
            return parameterValue(name).orElseThrow(() ->
                    new IllegalArgumentException("parameter " + name + " has no Default and no value was given"));
        }
        return value;
    }

    private int intOr(Object value, int defaultValue) {
        Object resolved = resolved(value);
        return resolved == null ? defaultValue : Integer.parseInt(resolved.toString());
    }

    /** Resources of one CloudFormation type, by logical id, in template order. */
    public Map<String, Map<String, Object>> resources(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((id, resource) -> {
            Map<String, Object> body = map(resource);
            if (type.equals(body.get("Type"))) {
                found.put(id, map(body.get("Properties")));
            }
        });
        return found;
    }

    public Map<String, Map<String, Object>> tables() {
        return resources("AWS::DynamoDB::Table");
    }

    public Map<String, Map<String, Object>> queues() {
        return resources("AWS::SQS::Queue");
    }

    public Map<String, Object> functionProperties(String logicalId) {
        Map<String, Object> properties = resources("AWS::Serverless::Function").get(logicalId);
        if (properties == null) {
            throw new IllegalArgumentException("template has no function " + logicalId);
        }
        return properties;
    }

    /** The function's Timeout in seconds: its own, else Globals.Function, else Lambda's default of 3. */
    public int functionTimeoutSeconds(String logicalId) {
        Object own = functionProperties(logicalId).get("Timeout");
        Object global = map(map(root.get("Globals")).get("Function")).get("Timeout");
        return intOr(own != null ? own : global, 3);
    }

    /** The function's MemorySize in MB: its own, else Globals.Function, else Lambda's default of 128. */
    public int functionMemoryMb(String logicalId) {
        Object own = functionProperties(logicalId).get("MemorySize");
        Object global = map(map(root.get("Globals")).get("Function")).get("MemorySize");
        return intOr(own != null ? own : global, 128);
    }

    /** The period of a function's {@code Schedule} event with a {@code rate(...)} expression, in seconds. */
    public Optional<Long> scheduleRateSeconds(String functionId) {
        for (Object event : map(functionProperties(functionId).get("Events")).values()) {
            Map<String, Object> body = map(event);
            if ("Schedule".equals(body.get("Type")) || "ScheduleV2".equals(body.get("Type"))) {
                Object expression = map(body.get("Properties")).get("Schedule");
                if (expression == null) {
                    expression = map(body.get("Properties")).get("ScheduleExpression");
                }
                java.util.regex.Matcher rate = java.util.regex.Pattern
                        .compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)")
                        .matcher(String.valueOf(expression));
                if (rate.matches()) {
                    long amount = Long.parseLong(rate.group(1));
                    long unit = rate.group(2).startsWith("minute") ? 60 : rate.group(2).startsWith("hour") ? 3_600 : 86_400;
                    return Optional.of(amount * unit);
                }
            }
        }
        return Optional.empty();
    }

    /** The handler string, e.g. {@code dev.agenttasks.worker.WorkerHandler::handleRequest}. */
    public String functionHandler(String logicalId) {
        return String.valueOf(functionProperties(logicalId).get("Handler"));
    }

    public List<HttpRoute> httpRoutes() {
        List<HttpRoute> routes = new ArrayList<>();
        resources("AWS::Serverless::Function").forEach((id, properties) ->
                map(properties.get("Events")).forEach((eventId, event) -> {
                    Map<String, Object> body = map(event);
                    if ("HttpApi".equals(body.get("Type"))) {
                        Map<String, Object> eventProperties = map(body.get("Properties"));
                        Object authorizer = map(eventProperties.get("Auth")).get("Authorizer");
                        routes.add(new HttpRoute(
                                String.valueOf(eventProperties.get("Method")).toUpperCase(java.util.Locale.ROOT),
                                String.valueOf(eventProperties.get("Path")),
                                id,
                                !"NONE".equals(authorizer)));
                    }
                }));
        return routes;
    }

    public Optional<SqsEventSource> sqsEventSource(String functionId) {
        for (Object event : map(functionProperties(functionId).get("Events")).values()) {
            Map<String, Object> body = map(event);
            if ("SQS".equals(body.get("Type"))) {
                Map<String, Object> properties = map(body.get("Properties"));
                String queueId = logicalIdOf(properties.get("Queue"));
                int batchSize = intOr(properties.get("BatchSize"), 10);
                int window = intOr(properties.get("MaximumBatchingWindowInSeconds"), 0);
                int maxConcurrency = intOr(map(properties.get("ScalingConfig")).get("MaximumConcurrency"), 1000);
                Object types = properties.get("FunctionResponseTypes");
                boolean reportFailures = types instanceof List<?> list && list.contains("ReportBatchItemFailures");
                return Optional.of(new SqsEventSource(queueId, batchSize, window, maxConcurrency, reportFailures));
            }
        }
        return Optional.empty();
    }

    /** The logical id an intrinsic points at: {@code !Ref X}, {@code !GetAtt X.Arn} or a plain string. */
    public static String logicalIdOf(Object value) {
        if (value instanceof Map<?, ?> intrinsic && intrinsic.size() == 1) {
            Object target = intrinsic.values().iterator().next();
            if (target instanceof List<?> parts && !parts.isEmpty()) {
                return String.valueOf(parts.get(0));
            }
            String text = String.valueOf(target);
            int dot = text.indexOf('.');
            return dot < 0 ? text : text.substring(0, dot);
        }
        return String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }

    /** An HTTP API route: method and path as the template declares them, and the function behind it. */
    public record HttpRoute(String method, String path, String functionId, boolean authorized) {
    }

    /** An SQS event source mapping of a function. */
    public record SqsEventSource(String queueId, int batchSize, int maximumBatchingWindowSeconds,
                                 int maximumConcurrency, boolean reportBatchItemFailures) {
    }

    /** SafeConstructor that reads CloudFormation's short-form tags as their long-form maps. */
    private static final class IntrinsicTolerantConstructor extends SafeConstructor {
        IntrinsicTolerantConstructor() {
            super(new LoaderOptions());
            this.yamlConstructors.put(null, new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String tag = node.getTag().getValue();
                    String name = tag.startsWith("!") ? tag.substring(1) : tag;
                    String key = name.equals("Ref") || name.equals("Condition") ? name : "Fn::" + name;
                    Object value;
                    if (node instanceof ScalarNode scalar) {
                        value = scalar.getValue();
                    } else if (node instanceof SequenceNode sequence) {
                        value = constructSequence(sequence);
                    } else {
                        value = constructMapping((MappingNode) node);
                    }
                    return Map.of(key, value);
                }
            });
        }
    }
}
