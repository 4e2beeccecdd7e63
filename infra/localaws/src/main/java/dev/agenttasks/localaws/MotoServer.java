package dev.agenttasks.localaws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;

import dev.agenttasks.pythontools.PythonTools;

/**
 * A moto server process on a free loopback port, standing in for DynamoDB and SQS.
 * It runs moto's own server through {@code moto_atomic_server.py}, which handles DynamoDB requests one at a
 * time: plain moto lets two concurrent conditional writes to one item both succeed, which DynamoDB never does.
 * Its output goes to a log file (an unread pipe would block it). {@link #close()} stops it.
 */
public final class MotoServer implements AutoCloseable {

    /** Said when moto cannot run here: the alternatives to a moto of our own. */
    public static final String ALTERNATIVES =
            "or set AWS_ENDPOINT_URL to a running moto (e.g. scripts/moto-server -p 5000) or LocalStack";
    static final String LAUNCHER = "moto_atomic_server.py";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private MotoServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /**
     * Starts moto server on a free port of 127.0.0.1 and waits until it answers. The interpreter comes from
     * {@link PythonTools}: python3 when it has moto, else the project's environment, installed on first use.
     */
    public static MotoServer start() {
        String python;
        try {
            python = PythonTools.require(PythonTools.MOTO_SERVER).executable().toString();
        } catch (PythonTools.Unavailable e) {
            throw new IllegalStateException("moto server (stands in for DynamoDB and SQS) cannot run: " + e.getMessage()
                    + "\nOr, instead, " + ALTERNATIVES + ".", e);
        }
        int port = freePort();
        Path log;
        Path launcher;
        try {
            log = Files.createTempFile("moto-server-" + port + "-", ".log");
            launcher = extractLauncher();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder builder = new ProcessBuilder(python, launcher.toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + python + "; " + ALTERNATIVES, e);
        }
        MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + port), log);
        server.awaitReady();
        return server;
    }

    public URI endpoint() {
        return endpoint;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    /** Forgets every resource: {@code POST /moto-api/reset}. */
    public void reset() {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/moto-api/reset").toURL().openConnection();
            connection.setRequestMethod("POST");
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(30_000);
            int status = connection.getResponseCode();
            connection.disconnect();
            if (status != 200) {
                throw new IllegalStateException("moto reset answered HTTP " + status);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("moto reset failed", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto server exited with code " + process.exitValue()
                        + " before it was ready; see " + log + "; " + ALTERNATIVES);
            }
            if (answers()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting moto server", e);
            }
        }
        close();
        throw new IllegalStateException("moto server did not answer within " + START_TIMEOUT + "; see " + log);
    }

    private boolean answers() {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2_000);
            int status = connection.getResponseCode();
            connection.disconnect();
            return status > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Copies the launcher out of the jar into a directory of its own (Python imports from the script's
     * directory first, so a shared temp directory could shadow moto's modules); deleted when the JVM exits.
     */
    private static Path extractLauncher() throws IOException {
        Path directory = Files.createTempDirectory("moto-atomic-server-");
        Path launcher = directory.resolve(LAUNCHER);
        directory.toFile().deleteOnExit();
        launcher.toFile().deleteOnExit();
        try (InputStream in = MotoServer.class.getResourceAsStream(LAUNCHER)) {
            if (in == null) {
                throw new IllegalStateException(LAUNCHER + " is missing from the classpath");
            }
            Files.copy(in, launcher, StandardCopyOption.REPLACE_EXISTING);
        }
        return launcher;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
