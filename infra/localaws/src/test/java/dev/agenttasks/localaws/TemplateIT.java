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

    /** DESIGN.md's configuration contract. */
    private static final Set<String> CONTRACT_VARIABLES = Set.of(
            "TASKS_TABLE", "BREAKER_TABLE", "TASK_QUEUE_URL", "TASK_DLQ_URL", "AWS_ENDPOINT_URL",
            "LLM_PROVIDER", "LLM_BASE_URL", "LLM_API_KEY", "LLM_API_KEY_PARAMETER",
            "BREAKER_FAILURE_THRESHOLD", "BREAKER_WINDOW_SECONDS", "BREAKER_RECOVERY_SECONDS",
            "RETRY_MAX_ATTEMPTS", "RETRY_BASE_DELAY_MS", "RETRY_MAX_DELAY_MS",
            "TASK_LEASE_SECONDS", "LLM_TIMEOUT_MS", "IDEMPOTENCY_TTL_SECONDS", "PORT", "LOCAL_API_KEYS");
    /** Names outside the contract that are still fine in the template, with where they are read. */
    private static final Set<String> DOCUMENTED_EXTRAS = Set.of(
            "JAVA_TOOL_OPTIONS",          // the JVM's own
            "TASK_MAX_AGE_SECONDS",       // ServiceWiring: a task's deadline
            "TASK_RETENTION_SECONDS",     // Config.taskRetention: how long task records are kept
            "MAX_BODY_BYTES",             // ServiceWiring: POST /tasks body limit
            "MAX_TASK_CHARS",             // ServiceWiring: task text limit
            "RECONCILE_MAX_TASKS_PER_RUN", // ServiceWiring.reconciler: due tasks handled per run
            "ROUTING_CONFIG_PARAMETER");  // RoutingConfiguration: the SSM parameter holding the routing configuration
    /** Contract names that must never be set in AWS: secrets come from SSM, the rest is local-only. */
    private static final Set<String> NEVER_IN_TEMPLATE = Set.of("LLM_API_KEY", "AWS_ENDPOINT_URL", "PORT", "LOCAL_API_KEYS");
    /** Config.DEFAULT_RETRY_MAX_ATTEMPTS and DESIGN.md's default. */
    private static final int DEFAULT_RETRY_MAX_ATTEMPTS = 5;

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
    void theQueueHidesAMessageForSixTimesTheWorkersTimeout() {
        SamTemplate.SqsEventSource source = template.sqsEventSource("WorkerFunction").orElseThrow();
        int visibility = Integer.parseInt(String.valueOf(template.queues().get(source.queueId()).get("VisibilityTimeout")));

        assertThat(visibility).as("AWS's guidance for SQS event sources: at least 6 x the function timeout")
                .isGreaterThanOrEqualTo(6 * template.functionTimeoutSeconds("WorkerFunction"));
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
    void everyEnvironmentVariableIsAContractNameOrADocumentedExtra() {
        Map<String, Set<String>> used = new LinkedHashMap<>();
        used.put("Globals", variables(SamTemplate.map(SamTemplate.map(raw.get("Globals")).get("Function"))));
        template.resources("AWS::Serverless::Function").forEach((id, properties) -> used.put(id, variables(properties)));
        assertThat(used.get("Globals")).contains("TASKS_TABLE", "TASK_QUEUE_URL");

        used.forEach((where, names) -> {
            Set<String> unknown = new TreeSet<>(names);
            unknown.removeAll(CONTRACT_VARIABLES);
            unknown.removeAll(DOCUMENTED_EXTRAS);
            assertThat(unknown).as("%s sets variables that are neither in DESIGN.md nor documented extras", where)
                    .isEmpty();
            assertThat(names).as("%s must not set these in AWS", where).doesNotContainAnyElementsOf(NEVER_IN_TEMPLATE);
        });
    }

    @Test
    void everyRouteButHealthNeedsACallerWhicheverAuthModeIsChosen() {
        List<SamTemplate.HttpRoute> routes = template.httpRoutes();
        assertThat(routes).extracting(r -> r.method() + " " + r.path() + " -> " + r.functionId()).contains(
                "ANY /tasks -> SubmitFunction", "ANY /tasks/{id} -> StatusFunction",
                "GET /health -> StatusFunction", "ANY $default -> StatusFunction");
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
