package dev.agenttasks.acceptance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.agenttasks.localaws.SamTemplate;
import dev.agenttasks.localaws.SamTranslator;

/**
 * Compares each function's IAM role, as SAM's translator expands template.yaml, with the AWS calls its handler made
 * during the integration tests (recorded by the test kit's {@code AwsCallRecorder}):
 * <ol>
 *   <li>every recorded call is allowed: some Allow statement of the role matches its action and resource;</li>
 *   <li>every action-resource pair an inline statement grants was used by a recorded call: no unused action, no
 *       wildcard, no resource wider than the one used;</li>
 *   <li>the only managed policies are those SAM adds for the platform: basic execution (logs), X-Ray with active
 *       tracing, and the SQS poller's for a function with an SQS event.</li>
 * </ol>
 * Resources compare as ARNs in one account and region: a table named like its logical id (as the local stack and
 * the tests provision them) is {@code arn:aws:dynamodb:us-east-1:123456789012:table/TasksTable}, and the
 * template's {@code !GetAtt TasksTable.Arn}, {@code !Sub ${TasksTable.Arn}/index/x} resolve the same way.
 */
final class PolicyCheck {

    static final String ACCOUNT = "123456789012";
    static final String REGION = "us-east-1";
    static final String BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    static final String XRAY = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess";
    static final String SQS_POLLER = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole";
    /** What those managed policies allow (AWS publishes them; modelled so calls they cover count as allowed). */
    static final Map<String, List<String>> MANAGED_ACTIONS = Map.of(
            BASIC_EXECUTION, List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
            XRAY, List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                    "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"),
            SQS_POLLER, List.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"));
    /** Errors that mean the call reached no resource (a test pointing a function at a missing table or queue). */
    static final Set<String> NO_SUCH_RESOURCE = Set.of("ResourceNotFoundException", "QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue");
    /** SDK operations authorised by another IAM action. */
    static final Map<String, String> IAM_ACTION_OF = Map.of(
            "sqs:SendMessageBatch", "sqs:SendMessage",
            "sqs:DeleteMessageBatch", "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibility",
            "bedrock:Converse", "bedrock:InvokeModel",
            "bedrock:ConverseStream", "bedrock:InvokeModelWithResponseStream");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]+)}");

    /** One recorded call: the handler class that made it, the IAM action and the resource's ARN. */
    record Call(String handler, String action, String resource, String error) {
    }

    /**
     * One Allow statement of a role, resolved: actions and resource ARN patterns. {@code platform} marks a managed
     * policy that SAM adds for what the function's configuration asks of the platform.
     */
    record Grant(String function, List<String> actions, List<String> resources, boolean inline, String source,
                 boolean platform) {
    }

    private PolicyCheck() {
    }

    // ---- recorded calls ----

    /** Every call recorded under {@code root} (each module's target/aws-calls/*.jsonl). */
    static List<Call> recordedCalls(Path root) {
        List<Call> calls = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 6)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl") && f.getParent() != null
                    && f.getParent().getFileName().toString().equals("aws-calls")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        calls.add(call(JSON.readTree(line)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return calls;
    }

    static Call call(JsonNode line) {
        String service = line.path("service").asText();
        String prefix = service.equals("bedrock-runtime") ? "bedrock" : service;
        String action = prefix + ":" + line.path("operation").asText();
        action = IAM_ACTION_OF.getOrDefault(action, action);
        String region = line.path("region").asText(REGION);
        JsonNode resource = line.path("resource");
        String arn = switch (prefix) {
            case "dynamodb" -> "arn:aws:dynamodb:" + region + ":" + ACCOUNT + ":table/" + resource.path("TableName").asText()
                    + (resource.has("IndexName") ? "/index/" + resource.path("IndexName").asText() : "");
            case "sqs" -> "arn:aws:sqs:" + region + ":" + ACCOUNT + ":" + lastSegment(resource.path("QueueUrl").asText());
            case "ssm" -> {
                String name = resource.path("Name").asText();
                yield "arn:aws:ssm:" + region + ":" + ACCOUNT + ":parameter" + (name.startsWith("/") ? name : "/" + name);
            }
            case "bedrock" -> {
                String model = resource.has("ModelId") ? resource.path("ModelId").asText() : resource.path("modelId").asText();
                yield model.startsWith("arn:") ? model : "arn:aws:bedrock:" + region + "::foundation-model/" + model;
            }
            default -> "*";
        };
        return new Call(line.path("handler").asText(), action, arn,
                line.path("error").isNull() ? null : line.path("error").asText());
    }

    private static String lastSegment(String url) {
        String path = URI.create(url).getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    // ---- the template's grants ----

    /** The grants of every function's role in {@code template}, as SAM's translator expands it. */
    @SuppressWarnings("unchecked")
    static Map<String, List<Grant>> grants(Path template, Map<String, String> parameters) {
        Map<String, Object> cloudFormation = SamTranslator.translate(template, parameters);
        Map<String, Object> resources = SamTemplate.map(cloudFormation.get("Resources"));
        Map<String, String> values = new LinkedHashMap<>();
        SamTemplate.map(cloudFormation.get("Parameters")).forEach((name, definition) ->
                values.put(name, String.valueOf(SamTemplate.map(definition).getOrDefault("Default", ""))));
        values.putAll(parameters);
        Resolver resolver = new Resolver(resources, values, SamTemplate.map(cloudFormation.get("Conditions")));

        Map<String, List<Grant>> grants = new LinkedHashMap<>();
        for (String function : functionIds(template)) {
            Map<String, Object> role = SamTemplate.map(SamTemplate.map(resources.get(function + "Role")).get("Properties"));
            List<Grant> list = new ArrayList<>();
            for (Object policy : (List<Object>) role.getOrDefault("Policies", List.of())) {
                Map<String, Object> document = SamTemplate.map(SamTemplate.map(policy).get("PolicyDocument"));
                for (Object conditional : (List<Object>) document.getOrDefault("Statement", List.of())) {
                    Object raw = resolver.choose(conditional);
                    if (raw == null) {
                        continue;   // a statement whose condition is false (AWS::NoValue)
                    }
                    Map<String, Object> statement = SamTemplate.map(raw);
                    String source = SamTemplate.map(policy).get("PolicyName") + " " + raw;
                    if (statement.containsKey("NotAction") || statement.containsKey("NotResource")) {
                        list.add(new Grant(function, List.of("NotAction/NotResource"), List.of("*"), true, source, false));
                        continue;
                    }
                    if (!"Allow".equals(statement.get("Effect"))) {
                        continue;
                    }
                    List<String> resourcesOfStatement = new ArrayList<>();
                    for (Object resource : asList(statement.get("Resource"))) {
                        resourcesOfStatement.addAll(resolver.resolveList(resource));
                    }
                    list.add(new Grant(function, asList(statement.get("Action")).stream().map(String::valueOf).toList(),
                            resourcesOfStatement, true, source, false));
                }
            }
            Map<String, Object> lambda = SamTemplate.map(SamTemplate.map(resources.get(function)).get("Properties"));
            boolean tracing = "Active".equals(SamTemplate.map(lambda.get("TracingConfig")).get("Mode"));
            boolean sqsEvent = resources.values().stream().map(SamTemplate::map)
                    .filter(resource -> "AWS::Lambda::EventSourceMapping".equals(resource.get("Type")))
                    .map(resource -> String.valueOf(SamTemplate.map(resource.get("Properties")).get("FunctionName")))
                    .anyMatch(target -> target.contains(function + "Alias") || target.equals("{Ref=" + function + "}"));
            for (Object arn : (List<Object>) role.getOrDefault("ManagedPolicyArns", List.of())) {
                String managed = resolver.resolve(arn);
                boolean platform = managed.equals(BASIC_EXECUTION) || (managed.equals(XRAY) && tracing)
                        || (managed.equals(SQS_POLLER) && sqsEvent);
                list.add(new Grant(function, MANAGED_ACTIONS.getOrDefault(managed, List.of("unmodelled:" + managed)),
                        List.of("*"), false, managed, platform));
            }
            grants.put(function, list);
        }
        return grants;
    }

    static List<String> functionIds(Path template) {
        return new ArrayList<>(SamTemplate.load(template).resources("AWS::Serverless::Function").keySet());
    }

    /** Handler class name to function logical id, from each function's Handler. */
    static Map<String, String> functionsByHandler(Path template) {
        SamTemplate sam = SamTemplate.load(template);
        Map<String, String> byHandler = new LinkedHashMap<>();
        for (String id : sam.resources("AWS::Serverless::Function").keySet()) {
            String handler = sam.functionHandler(id);
            byHandler.put(handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler, id);
        }
        return byHandler;
    }

    // ---- the check ----

    /** Every way the template's roles and the recorded calls disagree; empty when each role is exactly right. */
    static List<String> violations(Path template, Map<String, String> parameters, Collection<Call> recorded) {
        Map<String, List<Grant>> grants = grants(template, parameters);
        Map<String, String> functions = functionsByHandler(template);
        List<String> problems = new ArrayList<>();

        Map<String, Set<Call>> callsOf = new LinkedHashMap<>();
        for (Call call : recorded) {
            if (call.error() != null && NO_SUCH_RESOURCE.contains(call.error())) {
                continue;
            }
            String function = functions.get(call.handler());
            if (function == null) {
                problems.add("a call by " + call.handler() + ", which no function of the template runs: " + call);
                continue;
            }
            callsOf.computeIfAbsent(function, f -> new LinkedHashSet<>()).add(call);
        }

        for (String function : grants.keySet()) {
            Set<Call> calls = callsOf.getOrDefault(function, Set.of());
            List<Grant> roleGrants = grants.get(function);
            for (Call call : calls) {
                boolean allowed = roleGrants.stream().anyMatch(grant ->
                        grant.actions().stream().anyMatch(action -> matches(action, call.action(), true))
                                && grant.resources().stream().anyMatch(resource -> matches(resource, call.resource(), false)));
                if (!allowed) {
                    problems.add(function + " calls " + call.action() + " on " + call.resource()
                            + ", which its policy does not grant");
                }
            }
            Set<String> used = new LinkedHashSet<>();
            calls.forEach(call -> used.add(call.action() + " " + call.resource()));
            for (Grant grant : roleGrants) {
                if (!grant.inline()) {
                    if (!grant.platform()) {
                        problems.add(function + " has managed policy " + grant.source() + ", which the check cannot "
                                + "hold to least privilege; grant what the function uses in an inline statement");
                    }
                    continue;
                }
                for (String action : grant.actions()) {
                    for (String resource : grant.resources()) {
                        if (action.contains("*") || action.contains("?") || action.startsWith("NotAction")) {
                            problems.add(function + " grants the wildcard action " + action + " (" + grant.source() + ")");
                        } else if (anyRegionModel(resource)) {
                            // A foundation model in any region: cross-region inference serves it elsewhere.
                            if (calls.stream().noneMatch(call -> call.action().equalsIgnoreCase(action)
                                    && matches(resource, call.resource(), false))) {
                                problems.add(function + " grants " + action + " on " + resource
                                        + ", which none of its recorded calls uses");
                            }
                        } else if (resource.contains("*") || resource.contains("?")) {
                            problems.add(function + " grants " + action + " on " + resource
                                    + ", wider than any resource it uses");
                        } else if (!used.contains(action + " " + resource)) {
                            problems.add(function + " grants " + action + " on " + resource
                                    + ", which none of its recorded calls uses");
                        }
                    }
                }
            }
        }
        return problems;
    }

    /** {@code arn:aws:bedrock:*::foundation-model/<model id>}: one model, in whichever region serves it. */
    static boolean anyRegionModel(String resource) {
        String prefix = "arn:aws:bedrock:*::foundation-model/";
        return resource.startsWith(prefix) && !resource.substring(prefix.length()).isEmpty()
                && !resource.substring(prefix.length()).contains("*") && !resource.substring(prefix.length()).contains("?");
    }

    /** IAM's wildcard match: {@code *} any run of characters, {@code ?} one; actions ignore case. */
    static boolean matches(String pattern, String value, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(value).matches();
    }

    private static List<Object> asList(Object value) {
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        return value == null ? List.of() : List.of(value);
    }

    /** Resolves the intrinsics SAM leaves in a policy to the ARN they would name in one account and region. */
    private record Resolver(Map<String, Object> resources, Map<String, String> parameters, Map<String, Object> conditions) {

        /** {@code value}, or the branch its {@code Fn::If} takes; null for {@code AWS::NoValue}. */
        Object choose(Object value) {
            if (!(value instanceof Map<?, ?>) || !SamTemplate.map(value).containsKey("Fn::If")) {
                return value;
            }
            List<?> branches = (List<?>) SamTemplate.map(value).get("Fn::If");
            Object chosen = choose(holds(String.valueOf(branches.get(0))) ? branches.get(1) : branches.get(2));
            return chosen instanceof Map<?, ?> map && "AWS::NoValue".equals(map.get("Ref")) ? null : chosen;
        }

        boolean holds(String condition) {
            if (!conditions.containsKey(condition)) {
                throw new IllegalArgumentException("no condition " + condition + " in the template");
            }
            return evaluate(conditions.get(condition));
        }

        private boolean evaluate(Object expression) {
            Map<String, Object> function = SamTemplate.map(expression);
            if (function.containsKey("Condition")) {
                return holds(String.valueOf(function.get("Condition")));
            }
            if (function.containsKey("Fn::Equals")) {
                List<?> operands = (List<?>) function.get("Fn::Equals");
                return resolve(operands.get(0)).equals(resolve(operands.get(1)));
            }
            if (function.containsKey("Fn::Not")) {
                return !evaluate(((List<?>) function.get("Fn::Not")).get(0));
            }
            if (function.containsKey("Fn::And")) {
                return ((List<?>) function.get("Fn::And")).stream().allMatch(this::evaluate);
            }
            if (function.containsKey("Fn::Or")) {
                return ((List<?>) function.get("Fn::Or")).stream().anyMatch(this::evaluate);
            }
            throw new IllegalArgumentException("cannot evaluate the condition " + expression);
        }

        /** A value that may stand for several ({@code Fn::Split}, a list parameter): each of them. */
        List<String> resolveList(Object value) {
            if (value instanceof Map<?, ?> map && map.containsKey("Fn::Split")) {
                List<?> split = (List<?>) map.get("Fn::Split");
                return List.of(resolve(split.get(1)).split(Pattern.quote(String.valueOf(split.get(0))), -1));
            }
            if (value instanceof Map<?, ?> map && map.containsKey("Ref") && !String.valueOf(map.get("Ref")).startsWith("AWS::")) {
                return List.of(resolve(value).split(",", -1));
            }
            if (value instanceof List<?> list) {
                return list.stream().flatMap(item -> resolveList(item).stream()).toList();
            }
            return List.of(resolve(value));
        }

        String resolve(Object value) {
            if (value instanceof String text) {
                return text;
            }
            Map<String, Object> intrinsic = SamTemplate.map(value);
            if (intrinsic.containsKey("Fn::GetAtt")) {
                Object target = intrinsic.get("Fn::GetAtt");
                List<?> parts = target instanceof List<?> list ? list : List.of(String.valueOf(target).split("\\.", 2));
                return attribute(String.valueOf(parts.get(0)), String.valueOf(parts.get(1)));
            }
            if (intrinsic.containsKey("Ref")) {
                return reference(String.valueOf(intrinsic.get("Ref")));
            }
            if (intrinsic.containsKey("Fn::Sub")) {
                Object sub = intrinsic.get("Fn::Sub");
                String text = sub instanceof List<?> list ? String.valueOf(list.get(0)) : String.valueOf(sub);
                Map<String, Object> locals = sub instanceof List<?> list && list.size() > 1 ? SamTemplate.map(list.get(1)) : Map.of();
                Matcher variable = SUB_VARIABLE.matcher(text);
                StringBuilder out = new StringBuilder();
                while (variable.find()) {
                    String name = variable.group(1);
                    String replacement = locals.containsKey(name) ? resolve(locals.get(name))
                            : name.contains(".") ? attribute(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1))
                            : reference(name);
                    variable.appendReplacement(out, Matcher.quoteReplacement(replacement));
                }
                variable.appendTail(out);
                return out.toString();
            }
            if (intrinsic.containsKey("Fn::Join")) {
                List<?> join = (List<?>) intrinsic.get("Fn::Join");
                List<String> parts = new ArrayList<>();
                parts.addAll(resolveList(join.get(1)));
                return String.join(String.valueOf(join.get(0)), parts);
            }
            throw new IllegalArgumentException("cannot resolve " + value + " in a policy");
        }

        private String reference(String name) {
            return switch (name) {
                case "AWS::Partition" -> "aws";
                case "AWS::Region" -> REGION;
                case "AWS::AccountId" -> ACCOUNT;
                case "AWS::URLSuffix" -> "amazonaws.com";
                default -> {
                    if (parameters.containsKey(name)) {
                        yield parameters.get(name);
                    }
                    throw new IllegalArgumentException("cannot resolve Ref " + name + " in a policy");
                }
            };
        }

        private String attribute(String logicalId, String attribute) {
            String type = String.valueOf(SamTemplate.map(resources.get(logicalId)).get("Type"));
            if (!attribute.equals("Arn")) {
                throw new IllegalArgumentException("cannot resolve " + logicalId + "." + attribute + " in a policy");
            }
            return switch (type) {
                case "AWS::DynamoDB::Table" -> "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT + ":table/" + logicalId;
                case "AWS::SQS::Queue" -> "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + logicalId;
                case "AWS::SNS::Topic" -> "arn:aws:sns:" + REGION + ":" + ACCOUNT + ":" + logicalId;
                case "AWS::Lambda::Function" -> "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + logicalId;
                default -> throw new IllegalArgumentException("the check does not know the ARN of " + type + " " + logicalId
                        + "; teach PolicyCheck.Resolver");
            };
        }
    }
}
