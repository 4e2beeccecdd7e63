package dev.agenttasks.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.pythontools.PythonTools;

/** docs/openapi.yaml is a valid OpenAPI document and says what the code does. */
class OpenApiSpecIT {

    private static Map<String, Object> spec;

    @BeforeAll
    static void load() throws IOException {
        try (Reader reader = Files.newBufferedReader(ProjectFiles.openApiSpec(), StandardCharsets.UTF_8)) {
            spec = new Yaml().load(reader);
        }
    }

    @Test
    void isAValidOpenApi31Document() {
        ProjectFiles.Outcome outcome = ProjectFiles.run(ProjectFiles.python().command(
                PythonTools.OPENAPI_SPEC_VALIDATOR, "--schema", "3.1", "--validation-errors", "all",
                ProjectFiles.openApiSpec().toString()));

        assertThat(outcome.exitCode())
                .as("openapi-spec-validator rejected docs/openapi.yaml:%n%s", outcome.output())
                .isZero();
        assertThat(spec.get("openapi")).isEqualTo("3.1.0");
    }

    @Test
    void problemSchemaListsEveryProblemTypeAndNoOther() {
        List<Object> documented = list(at("components", "schemas", "Problem", "properties", "type", "enum"));

        assertThat(documented).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(ProblemType.values()).map(ProblemType::uri).toList());
    }

    @Test
    void eachErrorResponseNamesOnlyTypesOfItsOwnStatus() {
        Map<String, Object> responses = map(at("components", "responses"));
        Map<Integer, List<String>> byStatus = new TreeMap<>();
        for (ProblemType type : ProblemType.values()) {
            byStatus.computeIfAbsent(type.status(), s -> new java.util.ArrayList<>()).add(type.uri());
        }
        int checked = 0;
        for (Map.Entry<String, Object> response : responses.entrySet()) {
            Map<String, Object> narrowing = map(list(at(response.getValue(),
                    "content", "application/problem+json", "schema", "allOf")).get(1));
            Map<String, Object> properties = map(narrowing.get("properties"));
            int status = (Integer) map(properties.get("status")).get("const");
            Map<String, Object> type = map(properties.get("type"));
            List<Object> uris = type.containsKey("const") ? List.of(type.get("const")) : list(type.get("enum"));
            assertThat(uris).as("problem types of response %s", response.getKey())
                    .containsExactlyInAnyOrderElementsOf(byStatus.get(status));
            checked++;
        }
        assertThat(checked).isEqualTo(byStatus.size());
    }

    @Test
    void requestLimitsAndStatusesMatchTheCode() {
        Map<String, Object> fields = map(at("components", "schemas", "SubmitTaskRequest", "properties"));

        assertThat(at(fields, "task", "maxLength")).isEqualTo(SubmitTaskApi.DEFAULT_MAX_TASK_CHARS);
        assertThat(at(fields, "max_tokens", "maximum")).isEqualTo(SubmitTaskApi.MAX_TOKENS_LIMIT);
        assertThat(at(fields, "idempotency_key", "maxLength")).isEqualTo(SubmitTaskApi.MAX_IDEMPOTENCY_KEY_LENGTH);
        assertThat(at("components", "schemas", "SubmitTaskRequest", "additionalProperties")).isEqualTo(false);
        assertThat(list(at("components", "schemas", "TaskStatus", "enum")))
                .containsExactlyElementsOf(Arrays.stream(TaskStatus.values()).map(TaskStatus::value).toList());
    }

    private static Object at(Object... path) {
        Object node = spec;
        int start = 0;
        if (path.length > 0 && path[0] instanceof Map) {
            node = path[0];
            start = 1;
        }
        for (int i = start; i < path.length; i++) {
            assertThat(node).as("docs/openapi.yaml at %s", Arrays.toString(path)).isInstanceOf(Map.class);
            node = ((Map<?, ?>) node).get(path[i]);
        }
        assertThat(node).as("docs/openapi.yaml at %s", Arrays.toString(path)).isNotNull();
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        return (List<Object>) node;
    }
}
