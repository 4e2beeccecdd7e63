package dev.agenttasks.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 proxy in front of a server that forwards every request, one per connection, and answers
 * with the server's response, except for the first {@code drops} {@code POST /tasks}: those reach the
 * server and get their full answer, which the proxy then swallows, closing the client's socket without a
 * byte, as when a connection dies after the server has acted. With no drops it records what a client sent
 * and what the server answered.
 */
final class DroppingProxy implements AutoCloseable {

    /** A forwarded request: its request line, headers (names in lower case), whether its answer was swallowed, the answer. */
    record Forwarded(String requestLine, Map<String, String> headers, boolean dropped, String response) {
        String idempotencyKey() {
            return headers.get("idempotency-key");
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The answer's status code. */
        int status() {
            return Integer.parseInt(response.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
        }
    }

    private final ServerSocket server;
    private final URI target;
    private final AtomicInteger drops;
    private final List<Forwarded> forwarded = new CopyOnWriteArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "dropping-proxy");
        thread.setDaemon(true);
        return thread;
    });

    DroppingProxy(URI target, int drops) throws IOException {
        this.target = target;
        this.drops = new AtomicInteger(drops);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        executor.submit(this::acceptLoop);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** The requests answered so far (a held request shows once the server answered it). */
    List<Forwarded> forwarded() {
        return List.copyOf(forwarded);
    }

    /** The request lines of every request received so far, answered or not. */
    List<String> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() throws IOException {
        server.close();
        executor.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                executor.submit(() -> handle(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String requestLine = lines[0];
            received.add(requestLine);
            int length = 0;
            Map<String, String> headers = new HashMap<>();
            StringBuilder forwardedHead = new StringBuilder(requestLine).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                String name = line.substring(0, Math.max(line.indexOf(':'), 0)).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(line.indexOf(':') + 1).strip();
                headers.put(name, value);
                if (name.equals("content-length")) {
                    length = Integer.parseInt(value);
                }
                if (!name.equals("connection")) {
                    forwardedHead.append(line).append("\r\n");
                }
            }
            forwardedHead.append("Connection: close\r\n\r\n");
            byte[] body = in.readNBytes(length);
            boolean drop = requestLine.startsWith("POST /tasks ") && drops.getAndDecrement() > 0;

            byte[] response;
            try (Socket upstream = new Socket(target.getHost(), target.getPort())) {
                OutputStream out = upstream.getOutputStream();
                out.write(forwardedHead.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                response = upstream.getInputStream().readAllBytes();
            }
            String text = new String(response, StandardCharsets.ISO_8859_1);
            forwarded.add(new Forwarded(requestLine, Map.copyOf(headers), drop, text));
            if (drop) {
                return;   // the server acted; the client hears nothing
            }
            client.getOutputStream().write(withConnectionClose(text).getBytes(StandardCharsets.ISO_8859_1));
            client.getOutputStream().flush();
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String withConnectionClose(String response) {
        int end = response.indexOf("\r\n\r\n");
        StringBuilder head = new StringBuilder();
        for (String line : response.substring(0, end).split("\r\n")) {
            if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                head.append(line).append("\r\n");
            }
        }
        return head + "Connection: close\r\n" + response.substring(end + 2);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                String text = head.toString(StandardCharsets.ISO_8859_1);
                return text.substring(0, text.length() - 4);
            }
        }
        return null;
    }
}
