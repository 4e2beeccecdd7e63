package dev.agenttasks.domain.port;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** POSTs a webhook and reports the receiver's status code. */
public interface WebhookSender {

    /**
     * Sends {@code body} with {@code headers} to {@code url}, the whole exchange (connection, request, response)
     * bounded by {@code timeout}; redirects are not followed.
     *
     * @return the response's status code
     * @throws WebhookException when no response came: {@link WebhookException#code()} says why
     */
    int post(URI url, Map<String, String> headers, byte[] body, Duration timeout) throws WebhookException;

    /** A delivery with no response. Its code is stable ({@code timeout}, {@code connection_failed}, ...). */
    final class WebhookException extends Exception {
        private final String code;

        public WebhookException(String code, String detail, Throwable cause) {
            super(code + ": " + detail, cause);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
