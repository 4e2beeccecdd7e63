package dev.agenttasks.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The README's deploy parameter table names every parameter of template.yaml, with its default, and no other. */
class ReadmeDeployParametersIT {

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Za-z0-9]+)`\\s*\\|(.*)\\|(.*)\\|\\s*$");
    /** How the table shows an empty default. */
    private static final String EMPTY = "(empty)";

    private final Path template = SharedMotoServer.findTemplate();

    static Map<String, String> table(List<String> readme) {
        int start = readme.indexOf("### Deploy parameters");
        assertThat(start).as("README has a '### Deploy parameters' section").isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : readme.subList(start + 1, readme.size())) {
            if (line.startsWith("#")) {
                break;
            }
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                assertThat(rows.put(row.group(1), row.group(3).strip())).as("%s listed twice", row.group(1)).isNull();
            }
        }
        return rows;
    }

    @SuppressWarnings("unchecked")
    @Test
    void everyTemplateParameterIsDocumentedWithItsDefaultAndNoRowIsStale() throws IOException {
        Map<String, String> rows = table(Files.readAllLines(template.resolveSibling("README.md")));
        Map<String, Object> parameters = (Map<String, Object>) SamTranslator.translate(template, Map.of())
                .getOrDefault("Parameters", Map.of());

        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(parameters.keySet());
        parameters.forEach((name, definition) -> {
            String value = String.valueOf(((Map<String, Object>) definition).get("Default"));
            assertThat(rows.get(name)).as("README default of %s", name).isEqualTo(value.isEmpty() ? EMPTY : "`" + value + "`");
        });
    }

    @Test
    void theTableParserSeesOnlyItsOwnSection() {
        assertThat(table(List.of("### Deploy parameters", "| parameter | meaning | default |", "|---|---|---|",
                "| `Gone` | stale | `1` |", "## Next", "| `LlmProvider` | elsewhere | `openai` |"))).containsOnlyKeys("Gone");
    }
}
