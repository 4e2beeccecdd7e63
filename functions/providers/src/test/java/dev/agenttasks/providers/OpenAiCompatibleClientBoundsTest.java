package dev.agenttasks.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;

/**
 * A provider call is bounded as a whole, body included, in time ({@link LlmRequest#timeout()}) and in size
 * ({@link OpenAiCompatibleClient#MAX_RESPONSE_BYTES}), against a real socket server that trickles or floods.
 */
class OpenAiCompatibleClientBoundsTest {

    private static final Duration TIMEOUT = Duration.ofMillis(1_500);
    /** Scheduling slack on a shared machine; the old client overran a 2 s timeout by 10 s. */
    private static final Duration MARGIN = Duration.ofMillis(1_500);
    private static final long HUGE = 256L * 1024 * 1024;

    private RawHttpServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private OpenAiCompatibleClient client() {
        return OpenAiCompatibleClient.of(server.baseUrl(), "gsk_test_key_0123456789",
                OpenAiCompatibleClient.newHttpClient(Duration.ofSeconds(1), server.baseUrl()));
    }

    private static LlmRequest request(Duration timeout) {
        return new LlmRequest("llama-3.1-8b-instant", List.of(LlmRequest.ChatMessage.user("hi")), 16, timeout);
    }

    private LlmException callExpectingFailure(Duration timeout) {
        OpenAiCompatibleClient client = client();
        return assertTimeoutPreemptively(timeout.plus(MARGIN).plus(Duration.ofSeconds(5)),
                () -> catchThrowableOfType(LlmException.class, () -> client.complete(request(timeout))));
    }

    @Test
    void aBodyTrickledAfterPromptHeadersEndsTheCallAtTheTimeoutAndDropsTheConnection() throws IOException {
        server = new RawHttpServer((out, written) -> {
            RawHttpServer.writeHead(out, 200, "Content-Type: application/json", "Content-Length: 1000");
            for (int i = 0; i < 1000; i++) {
                out.write('{');
                out.flush();
                written.incrementAndGet();
                Thread.sleep(100);
            }
        });
        long started = System.nanoTime();

        LlmException e = callExpectingFailure(TIMEOUT);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT.plus(MARGIN));
        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("timeout");
        assertThat(e.httpStatus()).isEmpty();
        await().atMost(Duration.ofSeconds(3)).until(server::clientWentAway);
        assertThat(server.bodyBytesWritten()).isLessThan(1000);
    }

    @Test
    void headersThatNeverComeEndTheCallAtTheTimeout() throws IOException {
        server = new RawHttpServer((out, written) -> Thread.sleep(60_000));
        long started = System.nanoTime();

        LlmException e = callExpectingFailure(TIMEOUT);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT.plus(MARGIN));
        assertThat(e.code()).isEqualTo("timeout");
        assertThat(e.isTransient()).isTrue();
    }

    @Test
    void aSuccessBodyDeclaredOverTheCapIsRefusedBeforeItIsRead() throws IOException {
        server = new RawHttpServer((out, written) -> {
            RawHttpServer.writeHead(out, 200, "Content-Type: application/json", "Content-Length: " + HUGE);
            RawHttpServer.writeFiller(out, HUGE, written);
        });

        LlmException e = callExpectingFailure(Duration.ofSeconds(20));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo(OpenAiCompatibleClient.CODE_BAD_RESPONSE);
        assertThat(e.httpStatus()).contains(200);
        assertThat(e.getMessage()).contains("larger than " + OpenAiCompatibleClient.MAX_RESPONSE_BYTES + " bytes");
        await().atMost(Duration.ofSeconds(3)).until(server::clientWentAway);
        assertThat(server.bodyBytesWritten()).isLessThan(2L * OpenAiCompatibleClient.MAX_RESPONSE_BYTES);
    }

    @Test
    void aChunkedSuccessBodyGrowingPastTheCapIsCutThere() throws IOException {
        server = new RawHttpServer((out, written) -> {
            RawHttpServer.writeHead(out, 200, "Content-Type: application/json", "Transfer-Encoding: chunked");
            RawHttpServer.writeChunkedFiller(out, HUGE, written);
        });

        LlmException e = callExpectingFailure(Duration.ofSeconds(20));

        assertThat(e.code()).isEqualTo(OpenAiCompatibleClient.CODE_BAD_RESPONSE);
        assertThat(e.getMessage()).contains("larger than " + OpenAiCompatibleClient.MAX_RESPONSE_BYTES + " bytes");
        await().atMost(Duration.ofSeconds(3)).until(server::clientWentAway);
        assertThat(server.bodyBytesWritten()).isLessThan(2L * OpenAiCompatibleClient.MAX_RESPONSE_BYTES);
    }

    @Test
    void aHugeErrorBodyIsClassifiedByItsStatusFromItsBeginning() throws IOException {
        String start = "{\"error\":{\"message\":\"Service Unavailable\",\"type\":\"internal_server_error\"}}";
        server = new RawHttpServer((out, written) -> {
            RawHttpServer.writeHead(out, 503, "Content-Type: text/plain", "Content-Length: " + (start.length() + HUGE));
            out.write(start.getBytes(StandardCharsets.US_ASCII));
            RawHttpServer.writeFiller(out, HUGE, written);
        });

        LlmException e = callExpectingFailure(Duration.ofSeconds(20));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("http_503");
        assertThat(e.getMessage()).startsWith("openai returned HTTP 503");
        await().atMost(Duration.ofSeconds(3)).until(server::clientWentAway);
        assertThat(server.bodyBytesWritten()).isLessThan(2L * OpenAiCompatibleClient.MAX_RESPONSE_BYTES);
    }

    @Test
    void aBodyJustUnderTheCapIsStillRead() throws IOException {
        String answer = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"" ;
        String end = "\"}}],\"model\":\"m\"}";
        int padding = OpenAiCompatibleClient.MAX_RESPONSE_BYTES - answer.length() - end.length();
        server = new RawHttpServer((out, written) -> {
            RawHttpServer.writeHead(out, 200, "Content-Type: application/json",
                    "Content-Length: " + OpenAiCompatibleClient.MAX_RESPONSE_BYTES);
            out.write(answer.getBytes(StandardCharsets.US_ASCII));
            RawHttpServer.writeFiller(out, padding, written);
            out.write(end.getBytes(StandardCharsets.US_ASCII));
        });

        String content = client().complete(request(Duration.ofSeconds(20))).content();

        assertThat(content).hasSize(padding);
    }
}
