package dev.agenttasks.client;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * AWS credentials for {@link Auth#sigV4}. To use the AWS SDK's provider chain (profiles, SSO, instance roles),
 * adapt it: {@code () -> { var c = DefaultCredentialsProvider.create().resolveCredentials(); return new
 * AwsCredentials(c.accessKeyId(), c.secretAccessKey(), c instanceof AwsSessionCredentials s ?
 * Optional.of(s.sessionToken()) : Optional.empty()); }}.
 */
public record AwsCredentials(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {

    public AwsCredentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        Objects.requireNonNull(sessionToken, "sessionToken");
    }

    /**
     * From {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and {@code AWS_SESSION_TOKEN}.
     *
     * @throws IllegalStateException when the key id or the secret is missing
     */
    public static AwsCredentials fromEnvironment(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
            throw new IllegalStateException("SigV4 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        String token = env.get("AWS_SESSION_TOKEN");
        return new AwsCredentials(id.strip(), secret.strip(),
                token == null || token.isBlank() ? Optional.empty() : Optional.of(token.strip()));
    }

    @Override
    public String toString() {
        return "AwsCredentials[" + accessKeyId + ", secret hidden]";
    }
}
