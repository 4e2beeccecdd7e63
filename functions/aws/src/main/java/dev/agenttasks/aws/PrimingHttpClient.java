package dev.agenttasks.aws;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.agenttasks.json.JsonReader;
import dev.agenttasks.json.JsonWriter;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An HTTP client that never touches the network: every request gets {@code 200} with an empty JSON object, which
 * the DynamoDB and SQS (JSON protocol) clients read as an empty result; an SQS SendMessage also gets the MD5 of its
 * body, which the SQS client checks. For {@link AwsClients#forPriming}.
 */
final class PrimingHttpClient implements SdkHttpClient {

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                byte[] body = answer(request).getBytes(StandardCharsets.UTF_8);
                return HttpExecuteResponse.builder()
                        .response(SdkHttpResponse.builder().statusCode(200)
                                .putHeader("Content-Type", "application/x-amz-json-1.0")
                                .putHeader("Content-Length", String.valueOf(body.length))
                                .build())
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
                        .build();
            }

            @Override
            public void abort() {
                // nothing in flight
            }
        };
    }

    private static String answer(HttpExecuteRequest request) throws IOException {
        boolean sendMessage = request.httpRequest().firstMatchingHeader("X-Amz-Target")
                .filter(target -> target.endsWith(".SendMessage")).isPresent();
        if (!sendMessage || request.contentStreamProvider().isEmpty()) {
            return "{}";
        }
        try (InputStream in = request.contentStreamProvider().get().newStream()) {
            String messageBody = JsonReader.tolerant().read(in).path("MessageBody").asText("");
            Map<String, String> answer = new LinkedHashMap<>();
            answer.put("MessageId", "priming");
            answer.put("MD5OfMessageBody", md5(messageBody));
            return JsonWriter.compact().write(answer);
        }
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String clientName() {
        return "priming";
    }

    @Override
    public void close() {
        // nothing to release
    }
}
