package dev.agenttasks.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.knuddels.jtokkit.api.EncodingType;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;

class TokenCounterTest {

    private final TokenCounter cl100k = TokenCounter.cl100k();

    @Test
    void countsAsOpenAisCl100kBaseDoes() {
        // Counts published with tiktoken's cookbook for cl100k_base.
        assertThat(cl100k.count("tiktoken is great!")).isEqualTo(6);
        assertThat(cl100k.count("antidisestablishmentarianism")).isEqualTo(6);
        assertThat(cl100k.count("")).isZero();
        assertThat(cl100k.name()).isEqualTo("cl100k_base");
    }

    @Test
    void specialTokenMarkersInATaskAreCountedAsPlainText() {
        assertThat(cl100k.count("<|endoftext|>")).isGreaterThan(1);
    }

    @Test
    void aRequestAddsItsFramingAndEachMessages() {
        List<ChatMessage> messages = List.of(ChatMessage.system("tiktoken is great!"), ChatMessage.user("tiktoken is great!"));

        assertThat(cl100k.count(messages)).isEqualTo(TokenCounter.PER_REQUEST_TOKENS + 2 * (TokenCounter.PER_MESSAGE_TOKENS + 6));
        assertThat(TokenCounter.upperBound(messages)).isEqualTo(TokenCounter.PER_REQUEST_TOKENS
                + 2 * (TokenCounter.PER_MESSAGE_TOKENS + "tiktoken is great!".length()));
    }

    @Test
    void aCounterLoadingInTheBackgroundHasItsRanksBeforeTheFirstCount() {
        JtokkitTokenCounter fresh = new JtokkitTokenCounter(EncodingType.CL100K_BASE);
        assertThat(fresh.loaded()).isFalse();

        fresh.loadInBackground();
        fresh.loadInBackground();

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(fresh::loaded);
        assertThat(fresh.count("tiktoken is great!")).isEqualTo(6);
        assertThat(TokenCounter.cl100kLoadingInBackground()).isSameAs(TokenCounter.cl100k());
    }
}
