package dev.agenttasks.domain.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhooks the Standard Webhooks way: {@code webhook-signature: v1,<base64 HMAC-SHA256>} over
 * {@code "<webhook-id>.<webhook-timestamp>.<body>"}. Each caller has a secret of its own, derived from the
 * deployment's signing key and the caller's identity (so one caller cannot forge another's webhooks), shown to it
 * as {@code whsec_<base64>} by {@code GET /webhook-secret}.
 */
public final class WebhookSigner {

    private static final String ALGORITHM = "HmacSHA256";
    private static final String SECRET_PREFIX = "whsec_";
    private static final String DERIVATION_LABEL = "agent-tasks webhook secret v1\n";

    private final byte[] signingKey;

    /** {@code signingKey}: the deployment's key (at least 32 characters), never shown to callers. */
    public WebhookSigner(String signingKey) {
        Objects.requireNonNull(signingKey, "signingKey");
        if (signingKey.length() < 32) {
            throw new IllegalArgumentException("the webhook signing key must be at least 32 characters long");
        }
        this.signingKey = signingKey.getBytes(StandardCharsets.UTF_8);
    }

    /** The secret {@code owner}'s receivers verify with: {@code whsec_} and the base64 of its 32-byte key. */
    public String secretFor(String owner) {
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(keyFor(owner));
    }

    /** The {@code webhook-signature} header value of a message to {@code owner}. */
    public String signature(String owner, String messageId, long timestamp, byte[] body) {
        byte[] mac = hmac(keyFor(owner), (messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
        return "v1," + Base64.getEncoder().encodeToString(mac);
    }

    private byte[] keyFor(String owner) {
        return hmac(signingKey, (DERIVATION_LABEL + owner).getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    private static byte[] hmac(byte[] key, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            mac.update(prefix);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
