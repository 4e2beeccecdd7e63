package dev.agenttasks.client;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How requests prove who the caller is. Called for every attempt, so a signature or a refreshed token is
 * fresh on each retry.
 */
@FunctionalInterface
public interface Auth {

    /** One attempt of a request, as it will be sent. */
    record Request(String method, URI uri, Map<String, String> headers, byte[] body, Instant now) {
    }

    /** Headers to add to the attempt. */
    Map<String, String> headers(Request request);

    /** No credentials (a local stack without {@code LOCAL_API_KEYS}). */
    static Auth none() {
        return request -> Map.of();
    }

    /** {@code Authorization: Bearer <token>}: the local stack's tokens and JWT deployments. */
    static Auth bearer(String token) {
        Objects.requireNonNull(token, "token");
        return bearer(() -> token);
    }

    /** A bearer token read before every attempt, for tokens that expire and are refreshed elsewhere. */
    static Auth bearer(Supplier<String> tokens) {
        Objects.requireNonNull(tokens, "tokens");
        return request -> Map.of("Authorization", "Bearer " + tokens.get());
    }

    /**
     * AWS Signature Version 4 for service {@code execute-api} (deployments with the IAM authorizer), signed
     * by {@link SigV4Signer}.
     */
    static Auth sigV4(String region, Supplier<AwsCredentials> credentials) {
        SigV4Signer signer = new SigV4Signer(region, SigV4Signer.EXECUTE_API);
        Objects.requireNonNull(credentials, "credentials");
        return request -> signer.sign(request.method(), request.uri(), request.headers(), request.body(),
                request.now(), credentials.get());
    }
}
