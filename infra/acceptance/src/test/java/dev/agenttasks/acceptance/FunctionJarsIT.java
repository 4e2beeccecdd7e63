package dev.agenttasks.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

import dev.agenttasks.localaws.SamTemplate;

/**
 * What Lambda loads: each function's deployable jar, the CodeUri template.yaml names, as this build shaded it (the
 * five function modules are packaged before this one).
 */
class FunctionJarsIT {

    private static final Path TEMPLATE = SamTemplate.locate(Path.of("")).orElseThrow();

    @Test
    void noFunctionCarriesJacksonDatabind() throws IOException {
        Map<String, Map<String, Object>> functions = SamTemplate.load(TEMPLATE).resources("AWS::Serverless::Function");
        assertThat(functions).isNotEmpty();
        for (Map.Entry<String, Map<String, Object>> function : functions.entrySet()) {
            Path jar = TEMPLATE.getParent().resolve(String.valueOf(function.getValue().get("CodeUri")));
            assertThat(jar).as("%s's jar (build it: mvn -B -o -q -DskipTests package)", function.getKey()).isRegularFile();
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                List<String> databind = zip.stream().map(ZipEntry::getName)
                        .filter(name -> name.startsWith("com/fasterxml/jackson/databind/")
                                || name.startsWith("com/fasterxml/jackson/annotation/"))
                        .limit(3).toList();
                assertThat(databind).as("jackson-databind in %s: its classes cost every cold start ~250 ms; the functions'"
                        + " JSON is dev.agenttasks.json on jackson-core (docs/architecture.md)", jar).isEmpty();
                assertThat(zip.getEntry("dev/agenttasks/json/JsonReader.class")).as("the codec in %s", jar).isNotNull();
            }
        }
    }
}
