package dev.agenttasks.api;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.agenttasks.pythontools.PythonTools;

/** Finds the repository's files and runs the Python tools the contract tests use. */
final class ProjectFiles {

    private ProjectFiles() {
    }

    /** The repository root: the nearest directory at or above the working directory holding template.yaml. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml"))) {
                return dir;
            }
        }
        return fail("no template.yaml in " + Path.of("").toAbsolutePath() + " or any directory above it");
    }

    static Path openApiSpec() {
        Path spec = root().resolve("docs/openapi.yaml");
        if (!Files.isRegularFile(spec)) {
            fail("the API contract " + spec + " is missing");
        }
        return spec;
    }

    /**
     * The interpreter with openapi-spec-validator, jsonschema, referencing and PyYAML: python3 as it is, or
     * the project's environment, created on first use (PythonTools).
     */
    static PythonTools.Python python() {
        try {
            return PythonTools.require(PythonTools.OPENAPI_SPEC_VALIDATOR);
        } catch (PythonTools.Unavailable e) {
            return fail(e.getMessage());
        }
    }

    /** What a finished process printed (stdout and stderr together) and its exit code. */
    record Outcome(int exitCode, String output) {
    }

    /** Runs a command to completion (at most 120 s); fails the test clearly if the program cannot start. */
    static Outcome run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("could not start " + command.get(0) + " (" + e.getMessage() + ")");
        }
        try {
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return fail(String.join(" ", command) + " did not finish within 120 s");
            }
            return new Outcome(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return fail("could not read the output of " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while running " + command.get(0));
        }
    }
}
