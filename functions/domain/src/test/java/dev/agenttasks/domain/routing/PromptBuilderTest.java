package dev.agenttasks.domain.routing;

import static dev.agenttasks.domain.routing.TokenCounter.PER_MESSAGE_TOKENS;
import static dev.agenttasks.domain.routing.TokenCounter.PER_REQUEST_TOKENS;
import static dev.agenttasks.domain.routing.WordTokens.words;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import dev.agenttasks.domain.routing.PromptBuilder.BuiltPrompt;

/** Edges with one token per word, so every limit below is exact. */
class PromptBuilderTest {

    private static final ChatMessage Q1 = ChatMessage.user(words(10));
    private static final ChatMessage A1 = ChatMessage.assistant(words(20));
    private static final ChatMessage Q2 = ChatMessage.user(words(30));
    private static final ChatMessage A2 = ChatMessage.assistant(words(40));
    /** System prompt of 7 words, task of 3. */
    private static final Conversation CONVERSATION = new Conversation(words(7), List.of(Q1, A1, Q2, A2), "what is x");
    /** The request's framing plus the system prompt and the task with theirs. */
    private static final int FIXED = PER_REQUEST_TOKENS + (PER_MESSAGE_TOKENS + 7) + (PER_MESSAGE_TOKENS + 3);

    private final WordTokens tokens = new WordTokens();
    private final PromptBuilder builder = new PromptBuilder(tokens);

    @Test
    void everythingFitsInOrderSystemFirstAndTaskLast() {
        int all = FIXED + 4 * PER_MESSAGE_TOKENS + 100;

        BuiltPrompt prompt = builder.build(CONVERSATION, all);

        assertThat(prompt.messages()).containsExactly(ChatMessage.system(words(7)), Q1, A1, Q2, A2,
                ChatMessage.user("what is x"));
        assertThat(prompt.estimatedInputTokens()).isEqualTo(all);
        assertThat(prompt.droppedMessages()).isZero();
        assertThat(prompt.inputTokenLimit()).isEqualTo(all);
    }

    @Test
    void oneTokenLessDropsTheOldestMessageAndTheAnswerThatWouldLeadTheHistory() {
        int all = FIXED + 4 * PER_MESSAGE_TOKENS + 100;

        BuiltPrompt prompt = builder.build(CONVERSATION, all - 1);

        assertThat(prompt.messages()).as("Q1 is dropped, and A1 would start the history without its question")
                .containsExactly(ChatMessage.system(words(7)), Q2, A2, ChatMessage.user("what is x"));
        assertThat(prompt.droppedMessages()).isEqualTo(2);
        assertThat(prompt.estimatedInputTokens()).isEqualTo(FIXED + 2 * PER_MESSAGE_TOKENS + 70);
    }

    @Test
    void theNewestMessagesThatFitAreKeptAndNothingOlderSlipsInPastAGap() {
        // Room for A2 (45) and, after it, only 34 more: Q2 (35) does not fit, A1 (25) would but is older than Q2.
        BuiltPrompt prompt = builder.build(CONVERSATION, FIXED + 45 + 34);

        assertThat(prompt.messages()).containsExactly(ChatMessage.system(words(7)), ChatMessage.user("what is x"))
                .as("A2 alone would lead with an answer, so it goes too");
        assertThat(prompt.droppedMessages()).isEqualTo(4);
        assertThat(prompt.estimatedInputTokens()).isEqualTo(FIXED);
    }

    @Test
    void aHistoryThatStartsWithAnAnswerIsKeptWhenNothingIsDropped() {
        Conversation greeting = new Conversation("", List.of(ChatMessage.assistant("Hello! How can I help?")), "hi");

        BuiltPrompt prompt = builder.build(greeting, 1_000);

        assertThat(prompt.messages()).containsExactly(ChatMessage.assistant("Hello! How can I help?"),
                ChatMessage.user("hi"));
        assertThat(prompt.droppedMessages()).isZero();
    }

    @Test
    void theSystemPromptAndTaskExactlyAtTheLimitFitWithoutHistory() {
        BuiltPrompt prompt = builder.build(CONVERSATION, FIXED);

        assertThat(prompt.messages()).containsExactly(ChatMessage.system(words(7)), ChatMessage.user("what is x"));
        assertThat(prompt.estimatedInputTokens()).isEqualTo(FIXED);
        assertThat(prompt.droppedMessages()).isEqualTo(4);
    }

    @Test
    void aSystemPromptAndTaskOverTheLimitNeverFit() {
        PromptTooLargeException e = catchThrowableOfType(PromptTooLargeException.class,
                () -> builder.build(CONVERSATION, FIXED - 1));

        assertThat(e.tokens()).isEqualTo(FIXED);
        assertThat(e.limit()).isEqualTo(FIXED - 1);
        assertThat(e).hasMessage("the system prompt and the task are about " + FIXED + " tokens; the limit is " + (FIXED - 1));
        assertThat(builder.fixedPartFits(CONVERSATION, FIXED - 1)).isEqualTo(new PromptBuilder.Fit(false, FIXED, FIXED - 1));
        assertThat(builder.fixedPartFits(CONVERSATION, FIXED).fits()).isTrue();
    }

    @Test
    void anEmptySystemPromptSendsNoSystemMessage() {
        BuiltPrompt prompt = builder.build(new Conversation("", List.of(), "what is x"), 100);

        assertThat(prompt.messages()).containsExactly(ChatMessage.user("what is x"));
        assertThat(prompt.estimatedInputTokens()).isEqualTo(PER_REQUEST_TOKENS + PER_MESSAGE_TOKENS + 3);
    }

    @Test
    void aSmallRequestIsCheckedWithoutTokenizing() {
        PromptBuilder.Fit fit = builder.fixedPartFits(Conversation.of("Be brief.", "What is a lease?"), 5_200);

        assertThat(fit.fits()).isTrue();
        assertThat(fit.tokens()).as("the byte-length bound").isEqualTo(PER_REQUEST_TOKENS + 2 * PER_MESSAGE_TOKENS + 9 + 16);
        assertThat(tokens.calls).hasValue(0);
    }

    @Test
    void withTheRealTokenizerTheEstimateIsTheTokenCountPlusFraming() {
        PromptBuilder real = new PromptBuilder(TokenCounter.cl100k());

        BuiltPrompt prompt = real.build(Conversation.of("", "tiktoken is great!"), 100);

        assertThat(prompt.estimatedInputTokens()).isEqualTo(PER_REQUEST_TOKENS + PER_MESSAGE_TOKENS + 6);
    }
}
