package dev.agenttasks.pythontools;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Python tools the local stack and the build run: moto server (stands in for DynamoDB and SQS), cfn-lint
 * (lints template.yaml) and openapi-spec-validator (validates docs/openapi.yaml; its jsonschema also checks
 * recorded responses).
 *
 * <p>Which interpreter runs them: the first {@code python3} (then {@code python}) on PATH that can import
 * every tool asked for, used as it is; else a virtual environment this project owns, under
 * {@code $AGENT_TASKS_CACHE} (default {@code $XDG_CACHE_HOME/agent-tasks}, i.e. {@code ~/.cache/agent-tasks}),
 * named for the Python version and the pinned requirements ({@code python-3.11-<hash>}). When that environment
 * lacks a tool, it is created (or completed) once with every pinned requirement, after one line on stderr
 * saying what is installed where. The user's own Python is never installed into. When installing fails
 * (no network, no {@code venv} module), {@link #resolve} throws {@link Unavailable} whose message gives the
 * commands to run.
 *
 * <p>This file depends on the JDK only, so {@code scripts/check-prerequisites.sh} runs the same decision with
 * {@code java PythonTools.java} before anything is compiled (see {@link #main}).
 */
public final class PythonTools {

    /** A tool: how it is named to people, what pip installs, what must import, and how it is started. */
    public record Tool(String name, String requirement, String importCheck, List<String> launch) {
        public Tool {
            launch = List.copyOf(launch);
        }
    }

    public static final Tool MOTO_SERVER = new Tool("moto[server]", "moto[server]==5.2.1",
            "import moto.server, moto.moto_server.werkzeug_app", List.of("-m", "moto.server"));
    public static final Tool CFN_LINT = new Tool("cfn-lint", "cfn-lint==1.51.0", "import cfnlint.runner",
            List.of("-c", "import sys; sys.argv[0] = 'cfn-lint'; from cfnlint.runner import main; sys.exit(main())"));
    /** The validator and what {@code validate_responses.py} imports with it (jsonschema, referencing, PyYAML). */
    public static final Tool OPENAPI_SPEC_VALIDATOR = new Tool("openapi-spec-validator", "openapi-spec-validator==0.9.0",
            "import openapi_spec_validator, jsonschema, referencing, yaml", List.of("-m", "openapi_spec_validator"));
    /** What the project's environment holds; installed together, so one environment serves every use. */
    public static final List<Tool> ALL = List.of(MOTO_SERVER, CFN_LINT, OPENAPI_SPEC_VALIDATOR);
    /** The pinned versions need it (moto 5.2 and cfn-lint 1.x require Python 3.9+). */
    static final int[] MINIMUM_VERSION = {3, 9};

    /** Where an interpreter came from. */
    public enum Origin {
        /** {@code python3} (or {@code python}) on PATH, used as it is. */
        PATH,
        /** The project's virtual environment, already there. */
        ENVIRONMENT,
        /** The project's virtual environment, created or completed just now. */
        CREATED_ENVIRONMENT
    }

    /** The interpreter to run tools with. */
    public record Python(Path executable, String version, Origin origin) {
        /** The command that starts {@code tool} with {@code arguments}. */
        public List<String> command(Tool tool, String... arguments) {
            List<String> command = new ArrayList<>();
            command.add(executable.toString());
            command.addAll(tool.launch());
            command.addAll(Arrays.asList(arguments));
            return command;
        }

        /** The command that runs a Python script with {@code arguments}. */
        public List<String> script(Path script, String... arguments) {
            List<String> command = new ArrayList<>();
            command.add(executable.toString());
            command.add(script.toString());
            command.addAll(Arrays.asList(arguments));
            return command;
        }
    }

    /** What {@link Probe} learnt about an interpreter that runs: its version ("3.11") and the tools it lacks. */
    public record Inspection(String version, Set<Tool> missing) {
        public Inspection {
            missing = Set.copyOf(missing);
        }
    }

    /** Looks at an interpreter; empty when it does not exist or does not run. */
    @FunctionalInterface
    public interface Probe {
        Optional<Inspection> inspect(Path python, Collection<Tool> tools);
    }

    /** Creates the virtual environment {@code environment} from {@code basePython} if needed and installs into it. */
    @FunctionalInterface
    public interface Installer {
        void install(Path basePython, Path environment, List<String> requirements) throws InstallationFailed;
    }

    /** Why installing failed, in one line fit for a person. */
    public static final class InstallationFailed extends Exception {
        public InstallationFailed(String reason) {
            super(reason);
        }
    }

    /** The tools cannot be had; the message says what to install and how. */
    public static final class Unavailable extends IllegalStateException {
        public Unavailable(String message) {
            super(message);
        }
    }

    private static final Map<Set<Tool>, Python> RESOLVED = new ConcurrentHashMap<>();
    private static final Object JVM_LOCK = new Object();

    private final List<Path> interpreters;
    private final Function<String, Path> environmentFor;
    private final List<Tool> installed;
    private final Probe probe;
    private final Installer installer;
    private final Consumer<String> announce;

    /**
     * @param interpreters   the candidate base interpreters, in order of preference
     * @param environmentFor the project environment's directory for a Python version ("3.11")
     * @param installed      the tools the project environment holds (all of them are installed together)
     * @param announce       receives the one line said before installing
     */
    public PythonTools(List<Path> interpreters, Function<String, Path> environmentFor, List<Tool> installed,
                       Probe probe, Installer installer, Consumer<String> announce) {
        this.interpreters = List.copyOf(interpreters);
        this.environmentFor = environmentFor;
        this.installed = List.copyOf(installed);
        this.probe = probe;
        this.installer = installer;
        this.announce = announce;
    }

    /** The real thing for this process: PATH, the cache directory, the interpreter probe and pip. */
    public static PythonTools fromEnvironment(Map<String, String> env, PrintStream announceTo) {
        Path cache = cacheDirectory(env);
        return new PythonTools(interpretersOnPath(env.getOrDefault("PATH", "")),
                version -> cache.resolve("python-" + version + "-" + requirementsHash(ALL)), ALL,
                new ProcessProbe(), new PipInstaller(List.of()), announceTo::println);
    }

    /**
     * An interpreter that has {@code tools}, for this process's environment, found once per JVM.
     *
     * @throws Unavailable when they are missing and cannot be installed
     */
    public static Python require(Tool... tools) {
        Set<Tool> needed = Set.of(tools);
        Python known = RESOLVED.get(needed);
        if (known != null) {
            return known;
        }
        Python python = fromEnvironment(System.getenv(), System.err).resolve(needed);
        RESOLVED.put(needed, python);
        return python;
    }

    /**
     * The interpreter to run {@code needed} with.
     *
     * @throws Unavailable when no interpreter has them and the project environment cannot be made to
     */
    public Python resolve(Collection<Tool> needed) {
        Path firstRunnable = null;
        Inspection firstInspection = null;
        for (Path candidate : interpreters) {
            Optional<Inspection> inspection = probe.inspect(candidate, needed);
            if (inspection.isEmpty()) {
                continue;
            }
            if (missing(inspection.get(), needed).isEmpty()) {
                return new Python(candidate, inspection.get().version(), Origin.PATH);
            }
            if (firstRunnable == null) {
                firstRunnable = candidate;
                firstInspection = inspection.get();
            }
        }
        if (firstRunnable == null) {
            throw new Unavailable(noPython(needed));
        }
        Path base = firstRunnable;
        Inspection inspection = firstInspection;
        if (!atLeast(inspection.version(), MINIMUM_VERSION)) {
            throw new Unavailable(base + " is Python " + inspection.version() + "; the tools the build"
                    + " and the local stack run (" + names(needed) + ") need Python " + MINIMUM_VERSION[0] + "."
                    + MINIMUM_VERSION[1] + " or newer. Install a newer Python 3 and put it first on PATH as python3.");
        }
        Path environment = environmentFor.apply(inspection.version());
        Path environmentPython = environmentPython(environment);
        Optional<Python> existing = inEnvironment(environmentPython, needed, Origin.ENVIRONMENT);
        if (existing.isPresent()) {
            return existing.get();
        }
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(environment.getParent());
            } catch (IOException e) {
                throw new Unavailable(failure(base, inspection, needed, environment,
                        "cannot create " + environment.getParent() + " (" + e.getMessage() + ")"));
            }
            Path lockFile = environment.resolveSibling(environment.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = channel.lock()) {
                // Another process may have built it while this one waited for the lock.
                existing = inEnvironment(environmentPython, needed, Origin.ENVIRONMENT);
                if (existing.isPresent()) {
                    return existing.get();
                }
                List<String> requirements = installed.stream().map(Tool::requirement).toList();
                announce.accept("agent-tasks: " + base + " (Python " + inspection.version() + ") lacks "
                        + names(missing(inspection, needed)) + "; installing " + String.join(" ", requirements)
                        + " into " + environment + " (once; later runs reuse it)");
                try {
                    installer.install(base, environment, requirements);
                } catch (InstallationFailed e) {
                    throw new Unavailable(failure(base, inspection, needed, environment, e.getMessage()));
                }
                return inEnvironment(environmentPython, needed, Origin.CREATED_ENVIRONMENT).orElseThrow(() ->
                        new Unavailable(failure(base, inspection, needed, environment,
                                "the installation finished but " + environmentPython + " still cannot import "
                                        + names(probe.inspect(environmentPython, needed)
                                        .map(i -> missing(i, needed)).orElse(Set.copyOf(needed))))));
            } catch (IOException e) {
                throw new Unavailable(failure(base, inspection, needed, environment,
                        "cannot lock " + lockFile + " (" + e.getMessage() + ")"));
            }
        }
    }

    private Optional<Python> inEnvironment(Path python, Collection<Tool> needed, Origin origin) {
        if (!Files.isExecutable(python)) {
            return Optional.empty();
        }
        return probe.inspect(python, needed).filter(i -> missing(i, needed).isEmpty())
                .map(i -> new Python(python, i.version(), origin));
    }

    private String failure(Path base, Inspection inspection, Collection<Tool> needed, Path environment, String reason) {
        String requirements = installed.stream().map(r -> "'" + r.requirement() + "'").collect(Collectors.joining(" "));
        return base + " (Python " + inspection.version() + ") lacks " + names(missing(inspection, needed))
                + "; installing the pinned tools into " + environment + " failed: " + reason + "\n"
                + "Install the tools, then run again. Into the project's own environment (what the build and the local stack look for):\n"
                + "  " + base + " -m venv " + environment + "\n"
                + "  " + environmentPython(environment) + " -m pip install " + requirements + "\n"
                + "or, if that Python is yours to change (pyenv, a virtualenv; not the operating system's), into it:\n"
                + "  " + base + " -m pip install " + requirements + "\n"
                + "Behind a proxy or a mirror set PIP_INDEX_URL (or HTTPS_PROXY); offline, put the wheels in a directory"
                + " and set PIP_NO_INDEX=1 PIP_FIND_LINKS=<that directory>.";
    }

    private String noPython(Collection<Tool> needed) {
        return "no python3 (or python) on PATH runs; the build and the local stack need Python "
                + MINIMUM_VERSION[0] + "." + MINIMUM_VERSION[1] + "+ for " + names(needed)
                + ". Install Python 3 with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv;"
                + " macOS: brew install python) and run again; the tools are then installed into a project"
                + " environment automatically.";
    }

    private static Set<Tool> missing(Inspection inspection, Collection<Tool> needed) {
        Set<Tool> missing = new LinkedHashSet<>();
        for (Tool tool : needed) {
            if (inspection.missing().contains(tool)) {
                missing.add(tool);
            }
        }
        return missing;
    }

    private static String names(Collection<Tool> tools) {
        return tools.stream().map(Tool::name).sorted().collect(Collectors.joining(", "));
    }

    static boolean atLeast(String version, int[] minimum) {
        String[] parts = version.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > minimum[0] || (major == minimum[0] && minor >= minimum[1]);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The interpreter inside a virtual environment. */
    public static Path environmentPython(Path environment) {
        return windows() ? environment.resolve("Scripts").resolve("python.exe") : environment.resolve("bin").resolve("python");
    }

    /** {@code $AGENT_TASKS_CACHE}, else {@code $XDG_CACHE_HOME/agent-tasks}, else {@code ~/.cache/agent-tasks}. */
    public static Path cacheDirectory(Map<String, String> env) {
        String explicit = env.get("AGENT_TASKS_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("agent-tasks").toAbsolutePath();
    }

    /** Eight hex digits of the requirements' SHA-256: new pins get a new environment. */
    public static String requirementsHash(List<Tool> tools) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(tools.stream().map(Tool::requirement)
                    .collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every {@code python3}, then every {@code python}, on PATH, in PATH order. */
    public static List<Path> interpretersOnPath(String path) {
        List<String> names = windows() ? List.of("python3.exe", "python.exe") : List.of("python3", "python");
        List<Path> found = new ArrayList<>();
        for (String name : names) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isBlank()) {
                    continue;
                }
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate) && !found.contains(candidate)) {
                    found.add(candidate);
                }
            }
        }
        return found;
    }

    private static boolean windows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /** Asks the interpreter itself: prints its version, then the name of each tool whose imports fail. */
    public static final class ProcessProbe implements Probe {
        private static final String SCRIPT = String.join("\n",
                "import sys",
                "print('%d.%d' % sys.version_info[:2])",
                "args = sys.argv[1:]",
                "for i in range(0, len(args), 2):",
                "    try:",
                "        exec(args[i + 1], {})",
                "    except Exception:",
                "        print(args[i])");

        @Override
        public Optional<Inspection> inspect(Path python, Collection<Tool> tools) {
            List<String> command = new ArrayList<>(List.of(python.toString(), "-c", SCRIPT));
            Map<String, Tool> byName = new LinkedHashMap<>();
            for (Tool tool : tools) {
                command.add(tool.name());
                command.add(tool.importCheck());
                byName.put(tool.name(), tool);
            }
            try {
                Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                process.getOutputStream().close();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    return Optional.empty();
                }
                List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
                if (process.exitValue() != 0 || lines.isEmpty() || !lines.get(0).matches("\\d+\\.\\d+")) {
                    return Optional.empty();
                }
                Set<Tool> missing = new LinkedHashSet<>();
                for (String line : lines.subList(1, lines.size())) {
                    Tool tool = byName.get(line);
                    if (tool != null) {
                        missing.add(tool);
                    }
                }
                return Optional.of(new Inspection(lines.get(0), missing));
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /**
     * {@code <base> -m venv <environment>} when the environment has no interpreter yet, then
     * {@code <environment python> -m pip install <requirements>}; pip's own configuration (PIP_INDEX_URL, a
     * proxy, pip.conf) applies. Output goes to {@code <environment>.install.log}.
     */
    public static final class PipInstaller implements Installer {
        private static final long TIMEOUT_MINUTES = 20;
        private final List<String> pipOptions;

        /** @param pipOptions added before the requirements, e.g. {@code --no-index --find-links <dir>} */
        public PipInstaller(List<String> pipOptions) {
            this.pipOptions = List.copyOf(pipOptions);
        }

        @Override
        public void install(Path basePython, Path environment, List<String> requirements) throws InstallationFailed {
            Path log = environment.resolveSibling(environment.getFileName() + ".install.log");
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path python = environmentPython(environment);
            if (!Files.isExecutable(python)) {
                run(List.of(basePython.toString(), "-m", "venv", environment.toString()), log,
                        basePython + " -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)");
            }
            List<String> pip = new ArrayList<>(List.of(python.toString(), "-m", "pip", "install",
                    "--disable-pip-version-check", "--no-input"));
            pip.addAll(pipOptions);
            pip.addAll(requirements);
            run(pip, log, "pip install failed");
        }

        private static void run(List<String> command, Path log, String what) throws InstallationFailed {
            try {
                Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                process.getOutputStream().close();
                if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new InstallationFailed(what + ": no answer within " + TIMEOUT_MINUTES + " minutes (log: " + log + ")");
                }
                if (process.exitValue() != 0) {
                    throw new InstallationFailed(what + " (exit " + process.exitValue() + "): " + lastError(log)
                            + " (log: " + log + ")");
                }
            } catch (IOException e) {
                throw new InstallationFailed(what + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InstallationFailed(what + ": interrupted");
            }
        }

        /** The last line that says ERROR (pip's), else the last line. */
        static String lastError(Path log) throws IOException {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("ERROR")) {
                    return lines.get(i);
                }
            }
            return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
        }
    }

    /**
     * {@code java PythonTools.java [--quiet] [moto|cfn-lint|openapi]...}: makes sure the tools are there (all
     * when none is named), installing them into the project environment if needed; prints the interpreter on
     * stdout (unless --quiet) and exits 0, or prints why not on stderr and exits 1.
     */
    public static void main(String[] args) {
        boolean quiet = false;
        List<Tool> tools = new ArrayList<>();
        for (String arg : args) {
            switch (arg) {
                case "--quiet" -> quiet = true;
                case "moto" -> tools.add(MOTO_SERVER);
                case "cfn-lint" -> tools.add(CFN_LINT);
                case "openapi" -> tools.add(OPENAPI_SPEC_VALIDATOR);
                default -> {
                    System.err.println("usage: java PythonTools.java [--quiet] [moto|cfn-lint|openapi]...");
                    System.exit(2);
                }
            }
        }
        try {
            Python python = fromEnvironment(System.getenv(), System.err).resolve(tools.isEmpty() ? ALL : tools);
            if (!quiet) {
                System.out.println(python.executable());
            }
        } catch (Unavailable e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
