package dev.agenttasks.pythontools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/check-prerequisites.sh on a simulated fresh machine: a python3 without the tools (a bare virtual
 * environment) first on a PATH that holds nothing else but java, mvn and what the script itself uses, and
 * pip pointed at an empty wheel directory (no package index), so the run is the same with or without a
 * network. It decides as the build does, because it runs the same PythonTools.
 */
class CheckPrerequisitesIT {

    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

    @TempDir
    Path work;

    @AfterEach
    void removeLinks() {
        SymbolicLinks.deleteUnder(work);
    }

    @Test
    void onAFreshMachineItInstallsOrSaysExactlyHowThenAcceptsTheProjectEnvironment() throws Exception {
        Path bare = work.resolve("bare");
        run(List.of(PythonTools.require(PythonTools.MOTO_SERVER).executable().toString(), "-m", "venv", "--without-pip",
                bare.toString()), Map.of());
        Path tools = Files.createDirectories(work.resolve("tools"));
        for (String tool : List.of("mvn", "awk", "dirname")) {
            Optional<Path> found = onPath(tool);
            assumeTrue(found.isPresent(), tool + " is on PATH");
            Files.createSymbolicLink(tools.resolve(tool), found.get());
        }
        Files.createSymbolicLink(tools.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        Path cache = work.resolve("cache");
        Path wheels = Files.createDirectories(work.resolve("no-wheels"));
        Map<String, String> freshMachine = Map.of(
                "PATH", bare.resolve("bin") + ":" + tools,
                "HOME", work.toString(),
                "AGENT_TASKS_CACHE", cache.toString(),
                "PIP_NO_INDEX", "1",
                "PIP_FIND_LINKS", wheels.toString());
        Path environment = cache.resolve("python-" + version(bare) + "-" + PythonTools.requirementsHash(PythonTools.ALL));

        Outcome offline = run(List.of("/bin/bash", ROOT.resolve("scripts/check-prerequisites.sh").toString()), freshMachine);

        assertThat(offline.exitCode()).as(offline.output()).isEqualTo(1);
        assertThat(offline.output())
                .contains("agent-tasks: " + bare.resolve("bin/python3") + " (Python " + version(bare) + ") lacks cfn-lint,"
                        + " moto[server], openapi-spec-validator; installing moto[server]==5.2.1 cfn-lint==1.51.0"
                        + " openapi-spec-validator==0.9.0 into " + environment)
                .contains("failed: pip install failed (exit 1): ERROR: No matching distribution found for moto[server]==5.2.1")
                .contains("  " + PythonTools.environmentPython(environment) + " -m pip install 'moto[server]==5.2.1'"
                        + " 'cfn-lint==1.51.0' 'openapi-spec-validator==0.9.0'\n")
                .endsWith("prerequisites missing: see above\n");

        // What the build would find after someone installed the tools there: the script accepts it.
        PythonTools.Python withTools = PythonTools.require(PythonTools.ALL.toArray(PythonTools.Tool[]::new));
        assumeTrue(withTools.origin() == PythonTools.Origin.PATH, "this machine's python3 has the tools to lend");
        run(List.of(withTools.executable().toString(), "-m", "venv", "--clear", "--without-pip", "--system-site-packages",
                environment.toString()), Map.of());

        Outcome ready = run(List.of("/bin/bash", ROOT.resolve("scripts/check-prerequisites.sh").toString()), freshMachine);

        assertThat(ready.exitCode()).as(ready.output()).isZero();
        assertThat(ready.output()).isEmpty();
    }

    private record Outcome(int exitCode, String output) {
    }

    private static Outcome run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (!env.isEmpty()) {
            builder.environment().clear();
            builder.environment().putAll(env);
        }
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        if (env.isEmpty()) {
            assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
        }
        return new Outcome(process.exitValue(), output);
    }

    private static String version(Path venv) throws IOException, InterruptedException {
        return run(List.of(venv.resolve("bin/python3").toString(), "-c",
                "import sys; print('%d.%d' % sys.version_info[:2])"), Map.of()).output().strip();
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, name);
            if (!dir.isBlank() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
