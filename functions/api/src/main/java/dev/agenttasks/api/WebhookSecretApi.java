package dev.agenttasks.api;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.agenttasks.domain.callback.WebhookSigner;

/**
 * {@code GET /webhook-secret}: the secret the caller's webhook receivers verify signatures with
 * ({@code whsec_<base64>}, the Standard Webhooks format). It is the caller's own: derived from the deployment's
 * signing key and the caller's identity, so no other caller can sign a webhook it would accept.
 */
public final class WebhookSecretApi {

    private final WebhookSigner signer;

    public WebhookSecretApi(WebhookSigner signer) {
        this.signer = signer;
    }

    public HttpResponse handle(HttpRequest request) {
        String caller = request.caller().orElseThrow(() ->
                new ProblemException(ProblemType.UNAUTHENTICATED, "the request carries no authenticated caller"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("secret", signer.secretFor(caller));
        body.put("signature_scheme", "standard-webhooks-v1");
        return Json.response(200, body).withHeader("Cache-Control", "no-store");
    }
}
