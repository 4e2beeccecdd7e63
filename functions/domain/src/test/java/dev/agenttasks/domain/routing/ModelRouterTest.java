package dev.agenttasks.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.agenttasks.domain.port.LlmRequest.ChatMessage;

class ModelRouterTest {

    private final ModelRouter router = ModelRouter.ofDefaults();

    @ParameterizedTest(name = "\"{0}\" goes to {1} ({2})")
    @CsvSource(delimiter = '|', textBlock = """
            What is an idempotency key?                                    | simple   | simple_task
            Define backpressure.                                           | simple   | simple_task
            Summarise RFC 9457 in two sentences.                           | simple   | simple_task
            LIST three prime numbers                                       | simple   | simple_task
            Classify this review as positive or negative: great product!   | simple   | simple_task
            Yes or no: is 17 prime?                                        | simple   | simple_task
            True or false: the sun is a star.                              | simple   | simple_task
            How many legs does a spider have?                              | simple   | simple_task
            Write a haiku about queues.                                    | standard | no_simple_keyword
            Explain how a lease differs from a lock.                       | standard | no_simple_keyword
            """)
    void theSeedsHeuristicPicksTheTier(String task, String tier, String reason) {
        RoutingDecision decision = router.route(Conversation.of("", task), Optional.empty());

        assertThat(decision.tierName()).isEqualTo(tier);
        assertThat(decision.reasonCode()).isEqualTo(reason);
    }

    @Test
    void nineteenWordsAreShortTwentyAreNot() {
        RoutingDecision nineteen = route("what is " + WordTokens.words(17));
        RoutingDecision twenty = route("what is " + WordTokens.words(18));

        assertThat(nineteen.tierName()).isEqualTo("simple");
        assertThat(nineteen.reason()).isEqualTo("the task names \"what is\" and has 19 words (fewer than 20)");
        assertThat(twenty.tierName()).isEqualTo("standard");
        assertThat(twenty.reasonCode()).isEqualTo(RoutingDecision.REASON_TOO_MANY_WORDS);
        assertThat(twenty.reason()).isEqualTo("the task names \"what is\" but has 20 words (20 or more)");
    }

    @Test
    void aLongConversationIsNeverSimple() {
        List<ChatMessage> history = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            history.add(ChatMessage.user("Tell me more about the history of distributed consensus, part " + i + "."));
            history.add(ChatMessage.assistant("Paxos came first; Raft made it understandable. ".repeat(5)));
        }

        RoutingDecision decision = router.route(new Conversation("", history, "What is Raft?"), Optional.empty());

        assertThat(decision.tierName()).isEqualTo("standard");
        assertThat(decision.reasonCode()).isEqualTo(RoutingDecision.REASON_LONG_CONVERSATION);
        assertThat(decision.reason()).matches("the conversation is about \\d+ tokens, over the 1000 a simple task may have");
    }

    @Test
    void aShortConversationStaysSimpleWithoutBeingTokenized() {
        WordTokens tokens = new WordTokens();
        ModelRouter counting = ModelRouter.of(RoutingConfigLoader.builtIn(), tokens);
        Conversation conversation = new Conversation("Be brief.",
                List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello!")), "What is a lease?");

        assertThat(counting.route(conversation, Optional.empty()).tierName()).isEqualTo("simple");
        assertThat(tokens.calls).as("a few hundred bytes cannot exceed 1000 tokens").hasValue(0);
    }

    @Test
    void theThresholdCountsTheWholeConversationWithItsFraming() {
        WordTokens tokens = new WordTokens();
        ModelRouter counting = ModelRouter.of(RoutingConfigLoader.builtIn(), tokens);
        // The request's framing, two messages' framing, the system prompt and the three words of the task.
        int systemWords = 1000 - TokenCounter.PER_REQUEST_TOKENS - 2 * TokenCounter.PER_MESSAGE_TOKENS - 3;
        Conversation atThreshold = Conversation.of(WordTokens.words(systemWords), "what is x");
        Conversation overThreshold = Conversation.of(WordTokens.words(systemWords + 1), "what is x");

        assertThat(counting.route(atThreshold, Optional.empty()).tierName()).isEqualTo("simple");
        assertThat(counting.route(overThreshold, Optional.empty()).reasonCode())
                .isEqualTo(RoutingDecision.REASON_LONG_CONVERSATION);
    }

    @Test
    void aTierHintWinsOverTheHeuristic() {
        RoutingDecision decision = router.route(Conversation.of("", "Write a haiku about queues."), Optional.of("simple"));

        assertThat(decision.tierName()).isEqualTo("simple");
        assertThat(decision.model().id()).isEqualTo("llama-3.1-8b-instant");
        assertThat(decision.fallback()).isEmpty();
        assertThat(decision.reasonCode()).isEqualTo(RoutingDecision.REASON_TIER_HINT);
        assertThat(decision.reason()).isEqualTo("the caller asked for tier simple");
    }

    @Test
    void anUnknownTierHintNamesTheConfiguredTiers() {
        UnknownTierException e = catchThrowableOfType(UnknownTierException.class,
                () -> router.route(Conversation.of("", "What is x?"), Optional.of("premium")));

        assertThat(e.requested()).isEqualTo("premium");
        assertThat(e.allowed()).containsExactly("simple", "standard");
        assertThat(e).hasMessage("unknown tier \"premium\"; configured tiers: simple, standard");
        assertThat(catchThrowableOfType(UnknownTierException.class, () -> router.tier("Simple")))
                .as("names are exact").isNotNull();
    }

    @Test
    void theBuiltInTiersHaveNoFallbackSoAnOpenBreakerHoldsTheirTasks() {
        RoutingDecision decision = route("Explain how a lease differs from a lock.");

        assertThat(decision.model().id()).isEqualTo("llama-3.3-70b-versatile");
        assertThat(decision.fallback()).isEmpty();
        assertThat(RoutingConfigLoader.builtIn(dev.agenttasks.config.Config.LlmProvider.BEDROCK).tiers().values())
                .allSatisfy(tier -> assertThat(tier.fallbackModel()).isEmpty());
    }

    @Test
    void aConfiguredFallbackIsPartOfTheDecision() {
        ModelRouter configured = ModelRouter.of(RoutingConfigLoader.parse(RoutingConfigLoaderTest.edit(root -> { }), "test"),
                TokenCounter.cl100k());

        RoutingDecision decision = configured.route(Conversation.of("", "Explain how a lease differs from a lock in detail."),
                Optional.of("standard"));

        assertThat(decision.fallback()).hasValueSatisfying(model -> assertThat(model.id()).isEqualTo("small-model"));
    }

    @Test
    void withoutASimpleRuleEveryTaskGoesToTheDefaultTier() {
        String json = RoutingConfigLoaderTest.edit(root -> RoutingConfigLoaderTest.object(root, "/routing").remove("simple"));
        ModelRouter noRule = ModelRouter.of(RoutingConfigLoader.parse(json, "test"), TokenCounter.cl100k());

        RoutingDecision decision = noRule.route(Conversation.of("", "What is x?"), Optional.empty());

        assertThat(decision.tierName()).isEqualTo("standard");
        assertThat(decision.reasonCode()).isEqualTo(RoutingDecision.REASON_DEFAULT_TIER);
    }

    @Test
    void theSingleMessageRouteKeepsTheSeedsModelsAndCaps() {
        assertThat(router.route("What is an idempotency key?"))
                .isEqualTo(new ModelRoute("llama-3.1-8b-instant", 400, "simple"));
        assertThat(router.route("Write a sonnet about retries."))
                .isEqualTo(new ModelRoute("llama-3.3-70b-versatile", 800, "standard"));
    }

    private RoutingDecision route(String task) {
        return router.route(Conversation.of("", task), Optional.empty());
    }
}
