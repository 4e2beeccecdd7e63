package dev.agenttasks.pythontools;

import static dev.agenttasks.pythontools.PythonTools.ALL;
import static dev.agenttasks.pythontools.PythonTools.CFN_LINT;
import static dev.agenttasks.pythontools.PythonTools.MOTO_SERVER;
import static dev.agenttasks.pythontools.PythonTools.OPENAPI_SPEC_VALIDATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootstrap decision, with a scripted probe and installer: no process is started, no network is needed. */
class PythonToolsTest {

    private static final Path PYTHON3 = Path.of("/usr/bin/python3");
    private static final Path OTHER_PYTHON3 = Path.of("/opt/python/bin/python3");

    @TempDir
    Path cache;

    /** What each interpreter would report; the installer changes it, as pip would. */
    private final Map<Path, PythonTools.Inspection> interpreters = new HashMap<>();
    private final List<String> announced = new ArrayList<>();
    private final List<String> installs = new ArrayList<>();
    private Path environment;

    @BeforeEach
    void environmentPath() {
        environment = cache.resolve("agent-tasks").resolve("python-3.11-abcd1234");
    }

    private PythonTools tools(List<Path> candidates, PythonTools.Installer installer) {
        PythonTools.Probe probe = (python, tools) -> Optional.ofNullable(interpreters.get(python));
        return new PythonTools(candidates, version -> cache.resolve("agent-tasks").resolve("python-" + version + "-abcd1234"),
                ALL, probe, installer, announced::add);
    }

    private final PythonTools.Installer installerThatMustNotRun = (base, env, requirements) -> {
        throw new AssertionError("the installer ran");
    };

    private PythonTools.Installer installerThatWorks() {
        return (base, env, requirements) -> {
            installs.add(base + " -> " + env + " " + requirements);
            interpreters.put(makeInterpreter(env), new PythonTools.Inspection("3.11", Set.of()));
        };
    }

    private static PythonTools.Inspection lacking(PythonTools.Tool... tools) {
        return new PythonTools.Inspection("3.11", Set.of(tools));
    }

    /** A file where the environment's interpreter would be (resolve checks that it is executable). */
    private static Path makeInterpreter(Path environment) {
        Path python = PythonTools.environmentPython(environment);
        try {
            Files.createDirectories(python.getParent());
            if (!Files.exists(python)) {
                Files.createFile(python, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return python;
    }

    @Test
    void python3WithEveryToolIsUsedAsItIs() {
        interpreters.put(PYTHON3, lacking());

        PythonTools.Python python = tools(List.of(PYTHON3), installerThatMustNotRun).resolve(ALL);

        assertThat(python).isEqualTo(new PythonTools.Python(PYTHON3, "3.11", PythonTools.Origin.PATH));
        assertThat(announced).isEmpty();
        assertThat(environment).doesNotExist();
    }

    @Test
    void onlyTheToolsAskedForMatter() {
        interpreters.put(PYTHON3, lacking(CFN_LINT, OPENAPI_SPEC_VALIDATOR));

        PythonTools.Python python = tools(List.of(PYTHON3), installerThatMustNotRun).resolve(List.of(MOTO_SERVER));

        assertThat(python.origin()).isEqualTo(PythonTools.Origin.PATH);
        assertThat(python.executable()).isEqualTo(PYTHON3);
    }

    @Test
    void aLaterInterpreterOnPathWithTheToolsWinsOverTheEnvironment() {
        interpreters.put(PYTHON3, lacking(MOTO_SERVER));
        interpreters.put(OTHER_PYTHON3, lacking());

        PythonTools.Python python = tools(List.of(PYTHON3, OTHER_PYTHON3), installerThatMustNotRun).resolve(List.of(MOTO_SERVER));

        assertThat(python.executable()).isEqualTo(OTHER_PYTHON3);
    }

    @Test
    void missingToolsAndAnEnvironmentThatHasThemUseTheEnvironment() {
        interpreters.put(PYTHON3, lacking(CFN_LINT));
        interpreters.put(makeInterpreter(environment), lacking());

        PythonTools.Python python = tools(List.of(PYTHON3), installerThatMustNotRun).resolve(List.of(CFN_LINT));

        assertThat(python).isEqualTo(new PythonTools.Python(PythonTools.environmentPython(environment), "3.11",
                PythonTools.Origin.ENVIRONMENT));
        assertThat(announced).isEmpty();
    }

    @Test
    void missingToolsAndAWorkingInstallCreateTheEnvironmentAfterSayingSoOnce() {
        interpreters.put(PYTHON3, lacking(MOTO_SERVER, CFN_LINT));

        PythonTools.Python python = tools(List.of(PYTHON3), installerThatWorks()).resolve(List.of(MOTO_SERVER));

        assertThat(python).isEqualTo(new PythonTools.Python(PythonTools.environmentPython(environment), "3.11",
                PythonTools.Origin.CREATED_ENVIRONMENT));
        assertThat(installs).containsExactly(PYTHON3 + " -> " + environment
                + " [moto[server]==5.2.1, cfn-lint==1.51.0, openapi-spec-validator==0.9.0]");
        assertThat(announced).containsExactly("agent-tasks: /usr/bin/python3 (Python 3.11) lacks moto[server]; installing"
                + " moto[server]==5.2.1 cfn-lint==1.51.0 openapi-spec-validator==0.9.0 into " + environment
                + " (once; later runs reuse it)");
    }

    @Test
    void anEnvironmentThatLacksAToolIsCompleted() {
        interpreters.put(PYTHON3, lacking(OPENAPI_SPEC_VALIDATOR));
        interpreters.put(makeInterpreter(environment), lacking(OPENAPI_SPEC_VALIDATOR));

        PythonTools.Python python = tools(List.of(PYTHON3), installerThatWorks()).resolve(List.of(OPENAPI_SPEC_VALIDATOR));

        assertThat(python.origin()).isEqualTo(PythonTools.Origin.CREATED_ENVIRONMENT);
        assertThat(installs).hasSize(1);
    }

    @Test
    void missingToolsAndAFailedInstallSayExactlyWhatToInstallAndHow() {
        interpreters.put(PYTHON3, lacking(CFN_LINT, MOTO_SERVER));
        PythonTools.Installer offline = (base, env, requirements) -> {
            throw new PythonTools.InstallationFailed("pip install failed (exit 1): ERROR: No matching distribution found"
                    + " for moto[server]==5.2.1 (log: " + env + ".install.log)");
        };

        assertThatThrownBy(() -> tools(List.of(PYTHON3), offline).resolve(ALL))
                .isInstanceOf(PythonTools.Unavailable.class)
                .hasMessage("/usr/bin/python3 (Python 3.11) lacks cfn-lint, moto[server]; installing the pinned tools"
                        + " into " + environment + " failed: pip install failed (exit 1): ERROR: No matching distribution"
                        + " found for moto[server]==5.2.1 (log: " + environment + ".install.log)\n"
                        + "Install the tools, then run again. Into the project's own environment (what the build and"
                        + " the local stack look for):\n"
                        + "  /usr/bin/python3 -m venv " + environment + "\n"
                        + "  " + environment + "/bin/python -m pip install 'moto[server]==5.2.1' 'cfn-lint==1.51.0'"
                        + " 'openapi-spec-validator==0.9.0'\n"
                        + "or, if that Python is yours to change (pyenv, a virtualenv; not the operating system's), into it:\n"
                        + "  /usr/bin/python3 -m pip install 'moto[server]==5.2.1' 'cfn-lint==1.51.0'"
                        + " 'openapi-spec-validator==0.9.0'\n"
                        + "Behind a proxy or a mirror set PIP_INDEX_URL (or HTTPS_PROXY); offline, put the wheels in a"
                        + " directory and set PIP_NO_INDEX=1 PIP_FIND_LINKS=<that directory>.");
        assertThat(announced).hasSize(1);
    }

    @Test
    void anInstallThatLeavesAToolUnimportableIsAFailureNamingIt() {
        interpreters.put(PYTHON3, lacking(CFN_LINT));
        PythonTools.Installer halfway = (base, env, requirements) ->
                interpreters.put(makeInterpreter(env), lacking(CFN_LINT));

        assertThatThrownBy(() -> tools(List.of(PYTHON3), halfway).resolve(List.of(CFN_LINT)))
                .isInstanceOf(PythonTools.Unavailable.class)
                .hasMessageContaining("failed: the installation finished but " + PythonTools.environmentPython(environment)
                        + " still cannot import cfn-lint\n");
    }

    @Test
    void noRunnablePythonSaysToInstallPython() {
        assertThatThrownBy(() -> tools(List.of(PYTHON3), installerThatMustNotRun).resolve(ALL))
                .isInstanceOf(PythonTools.Unavailable.class)
                .hasMessageStartingWith("no python3 (or python) on PATH runs; the build and the local stack need Python 3.9+"
                        + " for cfn-lint, moto[server], openapi-spec-validator. Install Python 3 with its venv module");
    }

    @Test
    void aPythonTooOldForThePinsIsNotBootstrapped() {
        interpreters.put(PYTHON3, new PythonTools.Inspection("3.8", Set.of(MOTO_SERVER)));

        assertThatThrownBy(() -> tools(List.of(PYTHON3), installerThatMustNotRun).resolve(List.of(MOTO_SERVER)))
                .isInstanceOf(PythonTools.Unavailable.class)
                .hasMessageStartingWith("/usr/bin/python3 is Python 3.8; the tools the build and the local stack run"
                        + " (moto[server]) need Python 3.9 or newer.");
    }

    @Test
    void theEnvironmentLivesInTheProjectsCacheDirectoryNeverInTheUsersPython() {
        assertThat(PythonTools.cacheDirectory(Map.of("AGENT_TASKS_CACHE", "/srv/cache")))
                .isEqualTo(Path.of("/srv/cache"));
        assertThat(PythonTools.cacheDirectory(Map.of("XDG_CACHE_HOME", "/home/u/.xdg")))
                .isEqualTo(Path.of("/home/u/.xdg/agent-tasks"));
        assertThat(PythonTools.cacheDirectory(Map.of()))
                .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "agent-tasks"));
        assertThat(PythonTools.environmentPython(Path.of("/c/python-3.11-x"))).isEqualTo(Path.of("/c/python-3.11-x/bin/python"));
    }

    @Test
    void newPinsGetANewEnvironment() {
        String pinned = PythonTools.requirementsHash(ALL);
        PythonTools.Tool newerMoto = new PythonTools.Tool("moto[server]", "moto[server]==5.3.0", "import moto", List.of());

        assertThat(pinned).matches("[0-9a-f]{8}").isEqualTo(PythonTools.requirementsHash(List.copyOf(ALL)));
        assertThat(PythonTools.requirementsHash(List.of(newerMoto, CFN_LINT, OPENAPI_SPEC_VALIDATOR))).isNotEqualTo(pinned);
    }

    @Test
    void commandsStartEachToolThroughTheChosenInterpreter() {
        PythonTools.Python python = new PythonTools.Python(Path.of("/e/bin/python"), "3.11", PythonTools.Origin.ENVIRONMENT);

        assertThat(python.command(OPENAPI_SPEC_VALIDATOR, "--schema", "3.1", "spec.yaml"))
                .containsExactly("/e/bin/python", "-m", "openapi_spec_validator", "--schema", "3.1", "spec.yaml");
        assertThat(python.command(CFN_LINT, "template.yaml")).startsWith("/e/bin/python", "-c").endsWith("template.yaml");
        assertThat(python.script(Path.of("/t/check.py"), "a")).containsExactly("/e/bin/python", "/t/check.py", "a");
    }

    @Test
    void interpretersAreTakenFromPathInOrderPython3First(@TempDir Path dirs) throws IOException {
        Path first = Files.createDirectories(dirs.resolve("first"));
        Path second = Files.createDirectories(dirs.resolve("second"));
        for (Path file : List.of(first.resolve("python"), second.resolve("python3"), first.resolve("python3"))) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        Files.createFile(second.resolve("python"));   // not executable

        Collection<Path> found = PythonTools.interpretersOnPath(first + ":" + dirs.resolve("missing") + ":" + second);

        assertThat(found).containsExactly(first.resolve("python3"), second.resolve("python3"), first.resolve("python"));
    }
}
