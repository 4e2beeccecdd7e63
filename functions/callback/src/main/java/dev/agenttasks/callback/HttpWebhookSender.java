package dev.agenttasks.callback;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import dev.agenttasks.domain.port.WebhookSender;

/**
 * POSTs webhooks with the JDK's HTTP client: no redirects followed, the response body discarded, and the whole
 * exchange (connection, TLS, request, response headers and body) bounded by the timeout given, not only its headers.
 */
public final class HttpWebhookSender implements WebhookSender {

    private final HttpClient client;

    public HttpWebhookSender() {
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public int post(URI url, Map<String, String> headers, byte[] body, Duration timeout) throws WebhookException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        CompletableFuture<HttpResponse<Void>> exchange = client.sendAsync(request.build(),
                HttpResponse.BodyHandlers.discarding());
        try {
            return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS).statusCode();
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new WebhookException("timeout", "no whole response within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new WebhookException("interrupted", "the delivery was interrupted", e);
        } catch (ExecutionException e) {
            throw classify(e.getCause());
        }
    }

    private static WebhookException classify(Throwable cause) {
        String detail = String.valueOf(cause);
        if (cause instanceof HttpConnectTimeoutException) {
            return new WebhookException("connect_timeout", detail, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return new WebhookException("timeout", detail, cause);
        }
        if (cause instanceof ConnectException) {
            return new WebhookException("connection_refused", detail, cause);
        }
        if (cause instanceof UnknownHostException) {
            return new WebhookException("unknown_host", detail, cause);
        }
        if (cause instanceof SSLException) {
            return new WebhookException("tls_error", detail, cause);
        }
        if (cause instanceof IOException) {
            return new WebhookException("connection_failed", detail, cause);
        }
        return new WebhookException("send_failed", detail, cause);
    }
}
