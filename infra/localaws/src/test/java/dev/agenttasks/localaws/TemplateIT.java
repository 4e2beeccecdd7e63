package dev.agenttasks.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import dev.agenttasks.pythontools.PythonTools;

/** template.yaml passes cfn-lint (which runs the SAM translator) and keeps the invariants the code relies on. */
class TemplateIT {

    /** Variables the template may set besides the service's own (dev.agenttasks.config.Variable). */
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");
    /** Variables that must never be set in AWS: secrets come from SSM, the rest is local-only. */
    private static final Set<String> NEVER_IN_TEMPLATE = Set.of("LLM_API_KEY", "AWS_ENDPOINT_URL", "PORT", "LOCAL_API_KEYS",
            "LOCAL_SCHEDULE_INTERVAL_SECONDS", "LOCAL_PARAMETER_OVERRIDES");
    /** Config.DEFAULT_RETRY_MAX_ATTEMPTS. */
    private static final int DEFAULT_RETRY_MAX_ATTEMPTS = dev.agenttasks.config.Config.DEFAULT_RETRY_MAX_ATTEMPTS;
    private static final Map<String, String> JWT_MODE = Map.of("AuthMode", "JWT",
            "JwtIssuer", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example", "JwtAudience", "client");

    private final Path templatePath = SharedMotoServer.findTemplate();
    private final Path repository = templatePath.getParent();
    private final SamTemplate template = SamTemplate.load(templatePath);
    private final Map<String, Object> raw = raw(templatePath);

    @Test
    void cfnLintPassesWithTheSamTranslator() throws Exception {
        // python3's cfn-lint, or the project environment's, installed on first use (PythonTools)
        List<String> cfnLint = PythonTools.require(PythonTools.CFN_LINT).command(PythonTools.CFN_LINT,
                templatePath.toString());
        Path output = Files.createTempFile("cfn-lint-", ".log");
        Process process = new ProcessBuilder(cfnLint)
                .directory(repository.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("cfn-lint did not finish within 3 minutes");
        }
        String report = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("cfn-lint %s exited %s:%n%s", templatePath, process.exitValue(), report)
                .isZero();
    }

    @Test
    void everyFunctionRunsOnJava21() {
        Object global = SamTemplate.map(SamTemplate.map(raw.get("Globals")).get("Function")).get("Runtime");
        template.resources("AWS::Serverless::Function").forEach((id, properties) ->
                assertThat(properties.getOrDefault("Runtime", global)).as("%s Runtime", id).isEqualTo("java21"));
    }

    @Test
    void everyHandlerNamesAClassInTheModuleItsCodeUriShips() throws IOException {
        Map<String, Map<String, Object>> functions = template.resources("AWS::Serverless::Function");
        assertThat(functions).isNotEmpty();
        for (Map.Entry<String, Map<String, Object>> function : functions.entrySet()) {
            String handler = template.functionHandler(function.getKey());
            assertThat(handler).as("%s Handler", function.getKey()).matches("[a-z][\\w.]*\\.[A-Z]\\w*::\\w+");
            String className = handler.substring(0, handler.indexOf("::"));
            String method = handler.substring(handler.indexOf("::") + 2);
            String codeUri = String.valueOf(function.getValue().get("CodeUri"));
            assertThat(codeUri).as("%s CodeUri", function.getKey()).matches("functions/[\\w-]+/target/[\\w-]+\\.jar");
            Path module = repository.resolve(codeUri.substring(0, codeUri.indexOf("/target/")));
            Path source = module.resolve("src/main/java").resolve(className.replace('.', '/') + ".java");
            assertThat(source).as("%s's handler class in %s", function.getKey(), module).isRegularFile();
            assertThat(Files.readString(source)).as("%s declares %s", source, method).contains(" " + method + "(");
            String artifactId = module.getFileName().toString();
            assertThat(codeUri).as("the module's shaded jar").endsWith("/target/" + artifactId + "-function.jar");
        }
    }

    @Test
    void theQueueHidesAMessageForSixTimesTheWorkersTimeoutPlusTheLongestBatchingWindow() {
        SamTemplate.SqsEventSource source = template.sqsEventSource("WorkerFunction").orElseThrow();
        int visibility = Integer.parseInt(String.valueOf(template.queues().get(source.queueId()).get("VisibilityTimeout")));

        assertThat(visibility).as("AWS's guidance for SQS event sources: at least 6 x the function timeout plus the "
                        + "batching window, the longest the parameter allows")
                .isGreaterThanOrEqualTo(6 * template.functionTimeoutSeconds("WorkerFunction")
                        + parameterMaxValue("WorkerBatchingWindowSeconds"));
    }

    @Test
    void theWorkersDefaultsKeepAtMost125ProviderCallsInFlightAsBeforeBatching() {
        SamTemplate.SqsEventSource source = template.sqsEventSource("WorkerFunction").orElseThrow();

        // each record has at most one provider call in flight; before batching: 25 invocations x 5 records
        assertThat(source.batchSize() * source.maximumConcurrency()).isLessThanOrEqualTo(125).isGreaterThanOrEqualTo(100);
        assertThat(parameterMaxValue("WorkerBatchSize")).as("more than 10 needs a batching window of 1 s or more")
                .isLessThanOrEqualTo(10);
    }

    private int parameterMaxValue(String name) {
        return Integer.parseInt(String.valueOf(SamTemplate.map(SamTemplate.map(raw.get("Parameters")).get(name))
                .get("MaxValue")));
    }

    @Test
    void aMessageOutlivesEveryRetryBeforeItGoesToTheDeadLetterQueue() {
        SamTemplate.SqsEventSource source = template.sqsEventSource("WorkerFunction").orElseThrow();
        Map<String, Object> redrive = SamTemplate.map(template.queues().get(source.queueId()).get("RedrivePolicy"));
        int maxReceiveCount = Integer.parseInt(String.valueOf(redrive.get("maxReceiveCount")));
        Object retryParameterDefault = SamTemplate.map(SamTemplate.map(raw.get("Parameters")).get("RetryMaxAttempts"))
                .get("Default");

        assertThat(template.queues()).containsKey(SamTemplate.logicalIdOf(redrive.get("deadLetterTargetArn")));
        assertThat(maxReceiveCount).isGreaterThan(DEFAULT_RETRY_MAX_ATTEMPTS);
        assertThat(maxReceiveCount).isGreaterThan(Integer.parseInt(String.valueOf(retryParameterDefault)));
    }

    @Test
    void theWorkerReportsPartialBatchFailures() {
        assertThat(template.sqsEventSource("WorkerFunction")).hasValueSatisfying(source ->
                assertThat(source.reportBatchItemFailures()).isTrue());
    }

    @Test
    void theTasksTableIsOnDemandWithTtlAndPointInTimeRecovery() {
        Map<String, Object> table = template.tables().get("TasksTable");

        assertThat(table.get("BillingMode")).isEqualTo("PAY_PER_REQUEST");
        Map<String, Object> ttl = SamTemplate.map(table.get("TimeToLiveSpecification"));
        assertThat(ttl.get("Enabled")).isEqualTo(true);
        assertThat(ttl.get("AttributeName")).as("TaskItems.EXPIRES_AT").isEqualTo("expires_at");
        assertThat(SamTemplate.map(table.get("PointInTimeRecoverySpecification")).get("PointInTimeRecoveryEnabled"))
                .isEqualTo(true);
    }

    @Test
    void everyEnvironmentVariableIsOneTheCodeReads() {
        Set<String> known = new TreeSet<>(JVM_VARIABLES);
        for (dev.agenttasks.config.Variable variable : dev.agenttasks.config.Variable.values()) {
            known.add(variable.name());
        }
        Map<String, Set<String>> used = new LinkedHashMap<>();
        used.put("Globals", variables(SamTemplate.map(SamTemplate.map(raw.get("Globals")).get("Function"))));
        template.resources("AWS::Serverless::Function").forEach((id, properties) -> used.put(id, variables(properties)));
        assertThat(used.get("Globals")).contains("TASKS_TABLE", "TASK_QUEUE_URL");

        used.forEach((where, names) -> {
            Set<String> unknown = new TreeSet<>(names);
            unknown.removeAll(known);
            assertThat(unknown).as("%s sets variables that dev.agenttasks.config.Variable does not list", where).isEmpty();
            assertThat(names).as("%s must not set these in AWS", where).doesNotContainAnyElementsOf(NEVER_IN_TEMPLATE);
        });
    }

    @Test
    void samsTranslatorAcceptsTheTemplateInBothAuthModesAndEveryDeploymentType() {
        for (Map<String, String> parameters : List.of(Map.<String, String>of(), JWT_MODE,
                Map.of("DeploymentType", "Canary10Percent5Minutes"))) {
            Map<String, Object> cloudFormation = SamTranslator.translate(templatePath, parameters);
            Map<String, Object> resources = SamTemplate.map(cloudFormation.get("Resources"));
            assertThat(resources).as("translated with %s", parameters).containsKeys("SubmitFunctionAliaslive",
                    "StatusFunctionAliaslive", "WorkerFunctionAliaslive", "ReconcilerFunctionAliaslive",
                    "SubmitFunctionDeploymentGroup", "ServerlessDeploymentApplication");
        }
    }

    @Test
    void everyEventSourceInvokesTheLiveAliasOfAFunctionPublishedWithSnapStart() {
        Map<String, Object> globals = SamTemplate.map(SamTemplate.map(raw.get("Globals")).get("Function"));
        assertThat(globals.get("AutoPublishAlias")).isEqualTo("live");
        assertThat(globals.get("AutoPublishAliasAllProperties")).as("a configuration-only change publishes too").isEqualTo(true);
        assertThat(SamTemplate.map(globals.get("SnapStart")).get("ApplyOn")).isEqualTo("PublishedVersions");

        Map<String, Object> resources = SamTemplate.map(SamTranslator.translate(templatePath, Map.of()).get("Resources"));
        resources.forEach((id, body) -> {
            Map<String, Object> resource = SamTemplate.map(body);
            Map<String, Object> properties = SamTemplate.map(resource.get("Properties"));
            if ("AWS::Lambda::EventSourceMapping".equals(resource.get("Type"))) {
                assertThat(properties.get("FunctionName").toString()).as(id).contains("Aliaslive");
            }
            if ("AWS::Lambda::Permission".equals(resource.get("Type"))) {
                assertThat(properties.get("FunctionName").toString()).as(id).contains("Aliaslive");
            }
        });
    }

    @Test
    void everyFunctionLogsToItsOwnGroupWithARetentionAndRollsBackOnItsErrorsAlarm() {
        Map<String, Map<String, Object>> logGroups = template.resources("AWS::Logs::LogGroup");
        Map<String, Map<String, Object>> alarms = template.resources("AWS::CloudWatch::Alarm");
        template.resources("AWS::Serverless::Function").forEach((id, properties) -> {
            Map<String, Object> logging = SamTemplate.map(properties.get("LoggingConfig"));
            String group = SamTemplate.logicalIdOf(logging.get("LogGroup"));
            assertThat(logGroups).as("%s LoggingConfig.LogGroup", id).containsKey(group);
            Object functionName = SamTemplate.map(properties.get("FunctionName")).get("Fn::Sub");
            assertThat(SamTemplate.map(logGroups.get(group).get("LogGroupName")).get("Fn::Sub"))
                    .as("%s's log group is /aws/lambda/<its FunctionName>", id).isEqualTo("/aws/lambda/" + functionName);
            assertThat(logGroups.get(group).get("RetentionInDays")).isEqualTo(Map.of("Ref", "LogRetentionDays"));

            List<?> rollback = (List<?>) SamTemplate.map(properties.get("DeploymentPreference")).get("Alarms");
            assertThat(rollback).as("%s rolls back on its errors alarm", id).isNotEmpty();
            for (Object alarm : rollback) {
                Map<String, Object> watched = alarms.get(SamTemplate.logicalIdOf(alarm));
                assertThat(watched.get("MetricName")).isEqualTo("Errors");
                assertThat(watched.get("Dimensions").toString()).contains("Ref=" + id);
            }
        });
        assertThat(logGroups).containsKey("ApiAccessLogGroup");
    }

    @Test
    void dataSurvivesTheStack() {
        Map<String, Object> resources = SamTemplate.map(raw.get("Resources"));
        for (String id : List.of("TasksTable", "BreakerTable", "TaskDLQ")) {
            Map<String, Object> resource = SamTemplate.map(resources.get(id));
            assertThat(resource.get("DeletionPolicy")).as("%s DeletionPolicy", id).isEqualTo("Retain");
            assertThat(resource.get("UpdateReplacePolicy")).as("%s UpdateReplacePolicy", id).isEqualTo("Retain");
        }
    }

    @Test
    void everyRouteIsThrottledAndTheApiWritesJsonAccessLogs() {
        Map<String, Object> api = template.resources("AWS::Serverless::HttpApi").get("HttpApi");
        assertThat(SamTemplate.map(api.get("DefaultRouteSettings"))).containsKeys("ThrottlingRateLimit", "ThrottlingBurstLimit");
        Set<String> routeKeys = new TreeSet<>();
        template.httpRoutes().forEach(route -> routeKeys.add(route.method() + " " + route.path()));
        assertThat(routeKeys).as("RouteSettings name routes that exist").containsAll(SamTemplate.map(api.get("RouteSettings")).keySet());
        Map<String, Object> access = SamTemplate.map(api.get("AccessLogSettings"));
        assertThat(SamTemplate.logicalIdOf(access.get("DestinationArn"))).isEqualTo("ApiAccessLogGroup");
        String format = String.valueOf(access.get("Format"));
        assertThat(format).as("one JSON object per request").startsWith("{").endsWith("}").doesNotContain("\n")
                .contains("$context.requestId", "$context.status", "$context.routeKey")
                .doesNotContain("$context.authorizer.claims", "header");
    }

    @Test
    void everyAlarmIsInTheRunbookWithWhatToDo() throws IOException {
        String runbook = Files.readString(repository.resolve("docs/operations.md"));
        template.resources("AWS::CloudWatch::Alarm").keySet().forEach(id ->
                assertThat(runbook).as("docs/operations.md has a row for %s", id).contains("| `" + id + "` |"));
    }

    @Test
    void theAlarmsThatPageAreAllThere() {
        assertThat(template.resources("AWS::CloudWatch::Alarm")).containsKeys("DeadLetterQueueAlarm",
                "DeadLetteredTasksAlarm", "WorkerErrorsAlarm", "ReconcilerErrorsAlarm", "SubmitErrorsAlarm",
                "StatusErrorsAlarm", "WorkerThrottlesAlarm", "TaskQueueAgeAlarm", "Api5xxRateAlarm",
                "BreakerOpenTooLongAlarm");
        template.resources("AWS::CloudWatch::Alarm").forEach((id, alarm) -> {
            assertThat(alarm.get("AlarmActions")).as("%s notifies AlarmTopicArn", id).isNotNull();
            if ("AgentTasks".equals(alarm.get("Namespace"))) {
                assertThat(alarm.get("Dimensions").toString()).as("%s watches this stack's Service", id)
                        .contains("Service").contains("AWS::StackName");
            }
        });
    }

    @Test
    void theMakefileHasABuildTargetForEveryFunctionThatShipsItsJar() throws IOException {
        String makefile = Files.readString(repository.resolve("Makefile"));
        template.resources("AWS::Serverless::Function").forEach((id, properties) -> {
            assertThat(SamTemplate.map(raw(id).get("Metadata"))).as("%s Metadata", id)
                    .containsEntry("BuildMethod", "makefile").containsEntry("ContextPath", ".")
                    .containsEntry("ProjectRootDirectory", ".");
            java.util.regex.Matcher target = java.util.regex.Pattern
                    .compile("(?m)^build-" + id + ":.*\\n\\t(.*)$").matcher(makefile);
            assertThat(target.find()).as("Makefile target build-%s", id).isTrue();
            String codeUri = String.valueOf(properties.get("CodeUri"));
            assertThat(target.group(1)).as("build-%s copies the jar CodeUri names into lib/", id)
                    .contains("cp " + codeUri + " \"$(ARTIFACTS_DIR)/lib/\"");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void envJsonOnlySetsVariablesTheTemplateDeclaresForSamLocalToOverride() throws IOException {
        // sam local invoke -n env.json overrides a function's variables but never adds one the template lacks.
        Map<String, Object> envJson = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(repository.resolve("env.json").toFile(), Map.class);
        Set<String> global = variables(SamTemplate.map(SamTemplate.map(raw.get("Globals")).get("Function")));
        Map<String, Map<String, Object>> functions = template.resources("AWS::Serverless::Function");
        envJson.forEach((scope, values) -> {
            Set<String> declared = new TreeSet<>(global);
            if (!scope.equals("Parameters")) {
                assertThat(functions).as("env.json names function %s", scope).containsKey(scope);
                declared.addAll(variables(functions.get(scope)));
            }
            assertThat(((Map<String, Object>) values).keySet()).as("env.json %s", scope).isSubsetOf(declared);
        });
        assertThat(String.valueOf(SamTemplate.map(envJson.get("Parameters")).get("JAVA_TOOL_OPTIONS")))
                .as("the SDK's own endpoint override, since the template never declares AWS_ENDPOINT_URL")
                .contains("-Daws.endpointUrl=");
    }

    private Map<String, Object> raw(String resourceId) {
        return SamTemplate.map(SamTemplate.map(raw.get("Resources")).get(resourceId));
    }

    @Test
    void everyRouteButHealthNeedsACallerWhicheverAuthModeIsChosen() {
        List<SamTemplate.HttpRoute> routes = template.httpRoutes();
        assertThat(routes).extracting(r -> r.method() + " " + r.path() + " -> " + r.functionId()).contains(
                "POST /tasks -> SubmitFunction", "GET /tasks -> StatusFunction", "ANY /tasks/{id} -> StatusFunction",
                "POST /tasks/{id}/cancel -> StatusFunction", "GET /health -> StatusFunction",
                "ANY $default -> StatusFunction");
        assertThat(routes).filteredOn(r -> !r.authorized())
                .extracting(r -> r.method() + " " + r.path()).containsExactly("GET /health");

        // SAM's DefaultAuthorizer is IAM only; a route reaches the JWT authorizer through its own security entry.
        Map<String, Object> paths = SamTemplate.map(SamTemplate.map(
                template.resources("AWS::Serverless::HttpApi").get("HttpApi").get("DefinitionBody")).get("paths"));
        Object jwtOrIam = Map.of("Fn::If", List.of("UseJwt", List.of(Map.of("JwtAuthorizer", List.of())),
                List.of(Map.of("AWS_IAM", List.of()))));
        for (SamTemplate.HttpRoute route : routes) {
            if (!route.authorized()) {
                continue;
            }
            Map<String, Object> methods = SamTemplate.map(paths.get(route.path()));
            String method = route.method().equals("ANY") ? "x-amazon-apigateway-any-method" : route.method().toLowerCase();
            assertThat(SamTemplate.map(methods.get(method)).get("security"))
                    .as("%s %s needs `security: !If [UseJwt, ...]` in HttpApi's DefinitionBody", route.method(), route.path())
                    .isEqualTo(jwtOrIam);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void bedrockMayBeInvokedOnlyWhenChosenAndOnlyOnTheListedModels() throws IOException {
        Map<String, Object> parameters = SamTemplate.map(raw.get("Parameters"));
        assertThat((List<Object>) SamTemplate.map(parameters.get("LlmProvider")).get("AllowedValues")).contains("bedrock");
        assertThat(SamTemplate.map(SamTemplate.map(raw.get("Conditions")).get("UseBedrock")))
                .isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "LlmProvider"), "bedrock")));

        List<Object> grants = new java.util.ArrayList<>();
        template.resources("AWS::Serverless::Function").forEach((id, properties) -> {
            for (Object policy : (List<Object>) properties.getOrDefault("Policies", List.of())) {
                for (Object statement : (List<Object>) SamTemplate.map(policy).getOrDefault("Statement", List.of())) {
                    if (String.valueOf(statement).contains("bedrock:")) {
                        grants.add(List.of(id, statement));
                    }
                }
            }
        });
        assertThat(grants).as("one grant, the worker's").hasSize(1);
        List<Object> grant = (List<Object>) grants.get(0);
        assertThat(grant.get(0)).isEqualTo("WorkerFunction");
        List<Object> conditional = (List<Object>) SamTemplate.map(grant.get(1)).get("Fn::If");
        assertThat(conditional.get(0)).isEqualTo("UseBedrock");
        assertThat(conditional.get(2)).isEqualTo(Map.of("Ref", "AWS::NoValue"));
        Map<String, Object> statement = SamTemplate.map(conditional.get(1));
        assertThat(statement.get("Action")).isEqualTo(List.of("bedrock:InvokeModel"));
        assertThat(String.valueOf(statement.get("Resource"))).contains("{Ref=BedrockModelIds}")
                .contains("foundation-model/").doesNotContain("foundation-model/*");

        // The default model list is the built-in Bedrock routing configuration's models.
        Path builtIn = repository.resolve("functions/domain/src/main/resources/dev/agenttasks/domain/routing/routing-bedrock.json");
        Map<String, Object> routing = (Map<String, Object>) new Yaml().load(Files.readString(builtIn));
        assertThat(List.of(String.valueOf(SamTemplate.map(parameters.get("BedrockModelIds")).get("Default")).split(",")))
                .containsExactlyInAnyOrderElementsOf(SamTemplate.map(routing.get("models")).keySet());
    }

    private static Set<String> variables(Map<String, Object> functionProperties) {
        return new TreeSet<>(SamTemplate.map(SamTemplate.map(functionProperties.get("Environment")).get("Variables"))
                .keySet());
    }

    /** The whole template as maps (SamTemplate exposes resources only); intrinsics in their long form. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> raw(Path path) {
        try (Reader reader = Files.newBufferedReader(path)) {
            return (Map<String, Object>) new Yaml(new TolerantConstructor()).load(reader);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final class TolerantConstructor extends SafeConstructor {
        TolerantConstructor() {
            super(new LoaderOptions());
            this.yamlConstructors.put(null, new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String name = node.getTag().getValue().substring(1);
                    String key = name.equals("Ref") || name.equals("Condition") ? name : "Fn::" + name;
                    Object value = node instanceof ScalarNode scalar ? scalar.getValue()
                            : node instanceof SequenceNode sequence ? constructSequence(sequence)
                            : constructMapping((MappingNode) node);
                    return Map.of(key, value);
                }
            });
        }
    }
}
