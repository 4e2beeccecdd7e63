package dev.agenttasks.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The README's "Configure" table lists every {@link Variable}, one a row, with its default, and nothing else. */
class ReadmeConfigurationTableTest {

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Z0-9_]+)`\\s*\\|(.*)\\|(.*)\\|\\s*$");
    /** How the table shows a resource's missing default. */
    private static final String NO_DEFAULT = "–";

    static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml")) && Files.isRegularFile(dir.resolve("README.md"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IllegalStateException("README.md beside template.yaml not found above " + Path.of("").toAbsolutePath());
    }

    /** Variable name to the default cell, from the table under "## Configure". */
    static Map<String, String> table(List<String> readme) {
        int start = readme.indexOf("## Configure");
        assertThat(start).as("README has a '## Configure' section").isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : readme.subList(start + 1, readme.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                assertThat(rows.put(row.group(1), row.group(3).strip())).as("%s listed twice", row.group(1)).isNull();
            }
        }
        return rows;
    }

    @Test
    void everyVariableIsListedOnceWithItsDefaultAndNoRowIsStale() throws IOException {
        Map<String, String> rows = table(Files.readAllLines(readme()));

        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(Variable.values()).map(Enum::name).toList());
        for (Variable variable : Variable.values()) {
            String expected = variable.defaultValue().isEmpty() ? NO_DEFAULT : "`" + variable.defaultValue() + "`";
            assertThat(rows.get(variable.name())).as("README default of %s", variable).isEqualTo(expected);
        }
    }

    @Test
    void theTableParserSeesAStaleRowAndAMissingOne() {
        Map<String, String> rows = table(List.of("## Configure", "| variable | meaning | default |", "|---|---|---|",
                "| `NO_SUCH_VARIABLE` | gone | `1` |", "## Next", "| `PORT` | after the section | `3000` |"));

        assertThat(rows).containsOnlyKeys("NO_SUCH_VARIABLE");
    }
}
