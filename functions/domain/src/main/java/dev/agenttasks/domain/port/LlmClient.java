package dev.agenttasks.domain.port;

/**
 * A chat-completion provider. Implementations make exactly one call per invocation: retries
 * belong to the caller, so HTTP-client and SDK retries are off.
 */
public interface LlmClient {

    /**
     * Sends one chat completion.
     *
     * @throws LlmException classified as transient or permanent
     */
    LlmResponse complete(LlmRequest request);

    /** The provider's name as configured: {@code openai}, {@code bedrock} or {@code simulated}. */
    String provider();
}
