package dev.agenttasks.providers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.routing.AttemptCharge;

/** The domain charges failed attempts by error code; these are the codes the providers raise. */
class ChargedErrorCodesTest {

    @Test
    void failuresAfterTheRequestWentOutAreChargedAsPossiblyBilled() {
        assertThat(AttemptCharge.SENT_WITHOUT_ANSWER).containsExactlyInAnyOrder(
                ProviderErrorClassifier.CODE_TIMEOUT,
                ProviderErrorClassifier.CODE_CONNECTION_ERROR,
                ProviderErrorClassifier.CODE_INTERRUPTED,
                OpenAiCompatibleClient.CODE_BAD_RESPONSE,
                BedrockErrorClassifier.CODE_MODEL_TIMEOUT);
    }

    @Test
    void failuresBeforeTheRequestWentOutAreNotCharged() {
        assertThat(AttemptCharge.SENT_WITHOUT_ANSWER).doesNotContain(
                ProviderErrorClassifier.CODE_CONNECT_TIMEOUT,
                BedrockErrorClassifier.CODE_CONNECT_FAILED,
                BedrockConverseClient.CODE_CONTENT_FILTERED,
                SimulatedLlmClient.CODE_SIMULATED_FAILURE);
    }
}
