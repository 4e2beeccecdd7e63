package dev.agenttasks.pythontools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real probe and the real installer (python3 -m venv, pip) on this machine. Its python3 has every tool,
 * so the tools are used as they are; the installer is exercised with a package built here and served from a
 * local directory (pip's --no-index --find-links), since this machine cannot reach PyPI.
 */
class PythonToolsIT {

    private static final String PACKAGE = "agent-tasks-probe-tool";
    private static final String MODULE = "agent_tasks_probe_tool";
    private static final PythonTools.Tool PROBE_TOOL = new PythonTools.Tool(PACKAGE, PACKAGE + "==1.0",
            "import " + MODULE, List.of("-m", MODULE));

    @TempDir
    Path work;

    @AfterEach
    void removeLinks() {
        SymbolicLinks.deleteUnder(work);
    }

    @Test
    void thisMachinesPython3HasEveryToolSoItIsUsedAsItIsAndNothingIsInstalled(@TempDir Path cache) throws Exception {
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.put("AGENT_TASKS_CACHE", cache.toString());

        PythonTools.Python python = PythonTools.fromEnvironment(env, new PrintStream(said, true, StandardCharsets.UTF_8))
                .resolve(PythonTools.ALL);

        assertThat(python.origin()).isEqualTo(PythonTools.Origin.PATH);
        assertThat(said.toString(StandardCharsets.UTF_8)).isEmpty();
        try (var entries = Files.list(cache)) {
            assertThat(entries).isEmpty();
        }
        assertThat(run(python.command(PythonTools.CFN_LINT, "--version"))).contains("cfn-lint 1.51.0");
        assertThat(run(python.command(PythonTools.OPENAPI_SPEC_VALIDATOR, "--help"))).contains("usage: ");
        assertThat(run(python.command(PythonTools.MOTO_SERVER, "--help"))).contains("usage: ");
    }

    @Test
    void theSourceFileRunsAsAScriptTheWayCheckPrerequisitesRunsIt() throws Exception {
        Path source = Path.of("src/main/java/dev/agenttasks/pythontools/PythonTools.java").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Process process = new ProcessBuilder(java, source.toString(), "moto").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output.strip()).isEqualTo(PythonTools.require(PythonTools.MOTO_SERVER).executable().toString());
    }

    @Test
    void aToolPipCannotFindFailsWithTheCommandsThenInstallsIntoAVirtualEnvironmentOnceItCan()
            throws Exception {
        Path wheels = Files.createDirectories(work.resolve("wheels"));
        Path environment = work.resolve("cache").resolve("python-env");
        Path python3 = PythonTools.interpretersOnPath(System.getenv("PATH")).get(0);
        AtomicInteger installs = new AtomicInteger();
        PythonTools.PipInstaller pip = new PythonTools.PipInstaller(List.of("--no-index", "--find-links", wheels.toString()));
        List<String> said = new ArrayList<>();
        PythonTools tools = new PythonTools(List.of(python3), version -> environment, List.of(PROBE_TOOL),
                new PythonTools.ProcessProbe(), (base, env, requirements) -> {
                    installs.incrementAndGet();
                    pip.install(base, env, requirements);
                }, said::add);

        // No wheel yet: as when the package index is unreachable.
        assertThatThrownBy(() -> tools.resolve(List.of(PROBE_TOOL)))
                .isInstanceOf(PythonTools.Unavailable.class)
                .hasMessageContaining("lacks " + PACKAGE + "; installing the pinned tools into " + environment
                        + " failed: pip install failed (exit 1): ERROR: No matching distribution found for " + PACKAGE + "==1.0")
                .hasMessageContaining("  " + PythonTools.environmentPython(environment) + " -m pip install '" + PACKAGE + "==1.0'");
        assertThat(said).singleElement().asString().startsWith("agent-tasks: " + python3).contains("; installing "
                + PACKAGE + "==1.0 into " + environment);

        writeWheel(wheels);
        PythonTools.Python created = tools.resolve(List.of(PROBE_TOOL));
        PythonTools.Python reused = tools.resolve(List.of(PROBE_TOOL));

        assertThat(created.origin()).isEqualTo(PythonTools.Origin.CREATED_ENVIRONMENT);
        assertThat(created.executable()).isEqualTo(PythonTools.environmentPython(environment));
        assertThat(reused.origin()).isEqualTo(PythonTools.Origin.ENVIRONMENT);
        assertThat(installs).hasValue(2);
        assertThat(run(created.command(PROBE_TOOL))).contains("probe tool 1.0");
        assertThat(new PythonTools.ProcessProbe().inspect(python3, List.of(PROBE_TOOL)).orElseThrow().missing())
                .as("python3 itself is left alone").containsExactly(PROBE_TOOL);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
        return output;
    }

    /** A minimal pure-Python wheel (PEP 427) whose module prints a line when run. */
    private static void writeWheel(Path directory) throws Exception {
        String distInfo = MODULE + "-1.0.dist-info/";
        Map<String, String> files = new LinkedHashMap<>();
        files.put(MODULE + "/__init__.py", "VERSION = '1.0'\n");
        files.put(MODULE + "/__main__.py", "print('probe tool 1.0')\n");
        files.put(distInfo + "METADATA", "Metadata-Version: 2.1\nName: " + PACKAGE + "\nVersion: 1.0\n");
        files.put(distInfo + "WHEEL", "Wheel-Version: 1.0\nGenerator: PythonToolsIT\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
        StringBuilder record = new StringBuilder();
        for (Map.Entry<String, String> file : files.entrySet()) {
            byte[] bytes = file.getValue().getBytes(StandardCharsets.UTF_8);
            String hash = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
            record.append(file.getKey()).append(",sha256=").append(hash).append(',').append(bytes.length).append('\n');
        }
        record.append(distInfo).append("RECORD,,\n");
        files.put(distInfo + "RECORD", record.toString());
        try (OutputStream out = Files.newOutputStream(directory.resolve(MODULE + "-1.0-py3-none-any.whl"));
             ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }
}
