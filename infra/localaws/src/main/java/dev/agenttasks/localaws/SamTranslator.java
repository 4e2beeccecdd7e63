package dev.agenttasks.localaws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * AWS SAM's own translator (the {@code samtranslator} Python package cfn-lint ships) run on a template: the
 * CloudFormation that {@code sam deploy} would create, e.g. each function's IAM role as SAM expands it.
 */
public final class SamTranslator {

    private SamTranslator() {
    }

    /** Translates {@code template} with these parameter values; fails with SAM's own messages when it refuses. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> translate(Path template, Map<String, String> parameters) {
        try {
            Path script = Files.createTempFile("sam_translate", ".py");
            try (InputStream in = SamTranslator.class.getResourceAsStream("sam_translate.py")) {
                Files.write(script, in.readAllBytes());
            }
            List<String> command = new ArrayList<>(List.of("python3", script.toString(), template.toString()));
            parameters.forEach((name, value) -> command.add(name + "=" + value));
            Path out = Files.createTempFile("sam_translate", ".json");
            Path err = Files.createTempFile("sam_translate", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("the SAM translator did not finish within 3 minutes");
            }
            String errors = Files.readString(err, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("SAM's translator refused " + template + " with " + parameters + ":\n" + errors);
            }
            try (var reader = Files.newBufferedReader(out)) {
                return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            } finally {
                Files.deleteIfExists(script);
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
