package dev.agenttasks.providers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 server on a raw loopback socket that answers one way per connection: headers at once, then a
 * body written at the pace and size the test asks for. It counts the body bytes it managed to write and
 * notices when the client drops the connection, which WireMock cannot show.
 */
final class RawHttpServer implements AutoCloseable {

    /** What to write after the request has been read. */
    interface Responder {
        void respond(OutputStream out, AtomicLong written) throws IOException, InterruptedException;
    }

    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "raw-http-server");
        thread.setDaemon(true);
        return thread;
    });
    private final Responder responder;
    private final AtomicLong bodyBytesWritten = new AtomicLong();
    private final CountDownLatch clientGone = new CountDownLatch(1);

    RawHttpServer(Responder responder) throws IOException {
        this.responder = responder;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1");
    }

    long bodyBytesWritten() {
        return bodyBytesWritten.get();
    }

    /** Whether the client closed or reset the connection before the body was complete. */
    boolean clientWentAway() {
        return clientGone.getCount() == 0;
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                threads.submit(() -> serve(connection));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            connection.setSendBufferSize(64 * 1024);
            readRequest(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            responder.respond(out, bodyBytesWritten);
            out.flush();
        } catch (IOException e) {
            clientGone.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("request ended early");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
    }

    static void writeHead(OutputStream out, int status, String... headers) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Writes {@code total} filler bytes in 64 KiB pieces as fast as the client takes them. */
    static void writeFiller(OutputStream out, long total, AtomicLong written) throws IOException {
        byte[] piece = new byte[64 * 1024];
        Arrays.fill(piece, (byte) 'x');
        for (long left = total; left > 0; ) {
            int n = (int) Math.min(piece.length, left);
            out.write(piece, 0, n);
            written.addAndGet(n);
            left -= n;
        }
    }

    /** Writes chunked filler until {@code total} bytes or until the client goes away. */
    static void writeChunkedFiller(OutputStream out, long total, AtomicLong written) throws IOException {
        byte[] piece = new byte[64 * 1024];
        Arrays.fill(piece, (byte) 'x');
        byte[] size = (Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        for (long sent = 0; sent < total; sent += piece.length) {
            out.write(size);
            out.write(piece);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            written.addAndGet(piece.length);
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() throws IOException {
        socket.close();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
