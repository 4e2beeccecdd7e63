package dev.agenttasks.domain.routing;

import static dev.agenttasks.domain.routing.TokenCounter.PER_MESSAGE_TOKENS;
import static dev.agenttasks.domain.routing.TokenCounter.PER_REQUEST_TOKENS;
import static dev.agenttasks.domain.routing.WordTokens.words;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.routing.RequestPlanner.Accepted;
import dev.agenttasks.domain.routing.RequestPlanner.Admission;
import dev.agenttasks.domain.routing.RequestPlanner.AttemptPlan;
import dev.agenttasks.domain.routing.RequestPlanner.BudgetExceeded;
import dev.agenttasks.domain.routing.RequestPlanner.BudgetTooSmall;
import dev.agenttasks.domain.routing.RequestPlanner.PromptTooLarge;
import dev.agenttasks.domain.routing.RequestPlanner.Ready;
import dev.agenttasks.domain.routing.RequestPlanner.UnknownTier;
import dev.agenttasks.domain.task.TokenLedger;
import dev.agenttasks.domain.task.TokenUsage;

/** The built-in tiers (input limit 6000 - 800 = 5200 tokens) with one token per word, so every edge is exact. */
class RequestPlannerTest {

    private static final String SYSTEM = words(5);
    /** The request's framing, the system prompt and a task of {@code words} words, with their framing. */
    private static int fixed(int taskWords) {
        return PER_REQUEST_TOKENS + PER_MESSAGE_TOKENS + 5 + PER_MESSAGE_TOKENS + taskWords;
    }

    private final RequestPlanner planner = new RequestPlanner(RoutingConfigLoader.builtIn(), new WordTokens());


    @Test
    void aTaskIsAdmittedWithItsTierAndTheTiersDefaultCap() {
        Admission admission = planner.admit(Conversation.of(SYSTEM, "What is a lease?"), Optional.empty(),
                Optional.empty(), Optional.empty());

        assertThat(admission).isInstanceOfSatisfying(Accepted.class, accepted -> {
            assertThat(accepted.decision().tierName()).isEqualTo("simple");
            assertThat(accepted.decision().reasonCode()).isEqualTo(RoutingDecision.REASON_SIMPLE_TASK);
            assertThat(accepted.maxTotalTokens()).isEqualTo(18_000);
        });
        assertThat(planner.admit(Conversation.of(SYSTEM, "What is a lease?"), Optional.empty(), Optional.empty(),
                Optional.of(2_000L))).isInstanceOfSatisfying(Accepted.class, a -> assertThat(a.maxTotalTokens()).isEqualTo(2_000));
    }

    @Test
    void anUnknownTierHintIsRefusedWithTheConfiguredTiers() {
        Admission admission = planner.admit(Conversation.of(SYSTEM, "What is x?"), Optional.of("gold"), Optional.empty(),
                Optional.empty());

        assertThat(admission).isEqualTo(new UnknownTier("gold", List.of("simple", "standard")));
        assertThat(((UnknownTier) admission).detail()).isEqualTo("tier \"gold\" is not configured; use one of simple, standard");
    }

    @Test
    void aTaskThatFitsExactlyIsAdmittedAndOneWordMoreNeverFits() {
        int limit = 6_000 - 800;
        int taskWords = limit - fixed(0);
        Conversation exact = Conversation.of(SYSTEM, words(taskWords));
        Conversation over = Conversation.of(SYSTEM, words(taskWords + 1));

        assertThat(planner.admit(exact, Optional.empty(), Optional.empty(), Optional.empty())).isInstanceOf(Accepted.class);
        Admission refused = planner.admit(over, Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(refused).isEqualTo(new PromptTooLarge("standard", limit + 1, limit));
        assertThat(((PromptTooLarge) refused).detail()).isEqualTo("the system prompt and the task are about 5201 tokens; "
                + "tier standard accepts at most 5200 input tokens with this output cap");
    }

    @Test
    void historyNeverMakesATaskUnfitBecauseItCanBeDropped() {
        Conversation longHistory = new Conversation(SYSTEM,
                List.of(ChatMessage.user(words(4_000)), ChatMessage.assistant(words(4_000))), "Explain leases.");

        assertThat(planner.admit(longHistory, Optional.empty(), Optional.empty(), Optional.empty()))
                .isInstanceOf(Accepted.class);
    }

    @Test
    void aCapBelowOneAttemptIsRefusedAtSubmit() {
        Conversation conversation = Conversation.of(SYSTEM, "Explain leases to me.");
        int oneAttempt = fixed(4) + 800;

        assertThat(planner.admit(conversation, Optional.empty(), Optional.empty(), Optional.of((long) oneAttempt)))
                .isInstanceOf(Accepted.class);
        Admission refused = planner.admit(conversation, Optional.empty(), Optional.empty(), Optional.of(oneAttempt - 1L));
        assertThat(refused).isEqualTo(new BudgetTooSmall(oneAttempt, oneAttempt - 1L));
        assertThat(((BudgetTooSmall) refused).detail()).isEqualTo("one attempt needs about " + oneAttempt + " tokens "
                + "(system prompt, task and output cap), more than max_total_tokens (" + (oneAttempt - 1) + ")");
    }

    @Test
    void atSubmitTheSmallerContextWindowOfPrimaryAndFallbackBounds() {
        String json = RoutingConfigLoaderTest.edit(root -> {
            RoutingConfigLoaderTest.object(root, "/models/small-model").put("context_window_tokens", 3_000);
        });
        RequestPlanner small = new RequestPlanner(RoutingConfigLoader.parse(json, "test"), new WordTokens());
        Conversation fits = Conversation.of(SYSTEM, words(3_000 - 800 - fixed(0)));
        Conversation over = Conversation.of(SYSTEM, words(3_000 - 800 - fixed(0) + 1));

        assertThat(small.admit(fits, Optional.of("standard"), Optional.empty(), Optional.empty()))
                .isInstanceOf(Accepted.class);
        assertThat(small.admit(over, Optional.of("standard"), Optional.empty(), Optional.empty()))
                .as("the fallback small-model has a 3000-token window: 2200 after the 800-token answer")
                .isEqualTo(new PromptTooLarge("standard", 2_201, 2_200));
    }

    @Test
    void theCallersOutputCapReplacesTheTiersAndCountsAgainstTheCap() {
        Conversation conversation = Conversation.of(SYSTEM, "What is a lease?");
        Accepted accepted = (Accepted) planner.admit(conversation, Optional.empty(), Optional.of(100), Optional.empty());

        Ready ready = (Ready) planner.planAttempt(conversation, accepted.decision(), accepted.decision().model(),
                Optional.of(100), TokenLedger.EMPTY, accepted.maxTotalTokens());

        assertThat(ready.maxOutputTokens()).isEqualTo(100);
        assertThat(ready.request(Duration.ofSeconds(7))).isEqualTo(new LlmRequest("llama-3.1-8b-instant",
                List.of(ChatMessage.system(SYSTEM), ChatMessage.user("What is a lease?")), 100, Duration.ofSeconds(7)));
    }

    @Test
    void whatIsLeftOfTheBudgetShrinksTheHistoryOfALaterAttempt() {
        Conversation conversation = new Conversation(SYSTEM, List.of(ChatMessage.user(words(995)),
                ChatMessage.assistant(words(995))), "Explain leases.");
        RoutingDecision decision = planner.router().route(conversation, Optional.empty());
        int whole = fixed(2) + 2 * (PER_MESSAGE_TOKENS + 995);

        Ready first = (Ready) planner.planAttempt(conversation, decision, decision.model(), Optional.empty(),
                TokenLedger.EMPTY, 18_000);
        TokenLedger spent = new TokenLedger(18_000 - 800 - whole + 1, 0, BigDecimal.ZERO, false, 1);
        Ready second = (Ready) planner.planAttempt(conversation, decision, decision.model(), Optional.empty(), spent, 18_000);

        assertThat(first.prompt().droppedMessages()).isZero();
        assertThat(first.prompt().estimatedInputTokens()).isEqualTo(whole);
        assertThat(second.prompt().droppedMessages()).as("one token short: the oldest pair goes").isEqualTo(2);
        assertThat(second.prompt().inputTokenLimit()).isEqualTo(whole - 1);
    }

    @Test
    void anAttemptThatCouldOverspendTheCapIsRefused() {
        Conversation conversation = Conversation.of(SYSTEM, "Explain leases.");
        RoutingDecision decision = planner.router().route(conversation, Optional.empty());
        int needed = fixed(2) + 800;

        AttemptPlan lastOne = planner.planAttempt(conversation, decision, decision.model(), Optional.empty(),
                new TokenLedger(10_000 - needed, 0, BigDecimal.ZERO, false, 3), 10_000);
        AttemptPlan refused = planner.planAttempt(conversation, decision, decision.model(), Optional.empty(),
                new TokenLedger(10_000 - needed, 1, BigDecimal.ZERO, false, 3), 10_000);

        assertThat(lastOne).isInstanceOf(Ready.class);
        assertThat(refused).isEqualTo(new BudgetExceeded(10_000 - needed + 1, 10_000, needed));
        assertThat(((BudgetExceeded) refused).detail()).isEqualTo("the task has spent " + (10_001 - needed)
                + " of its 10000 tokens; another attempt needs at least " + needed + " (system prompt, task and output cap)");
        assertThat(BudgetExceeded.CODE).isEqualTo("budget_exceeded");
    }

    @Test
    void theFallbackModelIsPlannedWithItsOwnWindowAndPrice() {
        Conversation conversation = Conversation.of(SYSTEM, "Explain leases.");
        RequestPlanner planner = new RequestPlanner(RoutingConfigs.builtInWithFallback(), new WordTokens());
        RoutingDecision decision = planner.router().route(conversation, Optional.of("standard"));

        Ready ready = (Ready) planner.planAttempt(conversation, decision, decision.fallback().orElseThrow(),
                Optional.empty(), TokenLedger.EMPTY, 18_000);
        AttemptCharge charge = planner.charge(ready, new LlmResponse("ok", "llama-3.1-8b-instant", new TokenUsage(1_000_000, 0)));

        assertThat(ready.request(Duration.ofSeconds(1)).model()).isEqualTo("llama-3.1-8b-instant");
        assertThat(ready.maxOutputTokens()).as("the tier's cap").isEqualTo(800);
        assertThat(charge.costUsd()).isEqualByComparingTo("0.05");
    }

    @Test
    void aSuccessIsChargedTheReportedUsageAtTheModelsPrice() {
        Ready ready = readyOnStandard();

        AttemptCharge charge = planner.charge(ready, new LlmResponse("answer", "llama-3.3-70b-versatile",
                new TokenUsage(1_000, 500)));

        assertThat(charge.basis()).isEqualTo(AttemptCharge.Basis.REPORTED);
        assertThat(charge.estimated()).isFalse();
        assertThat(charge.usage()).isEqualTo(new TokenUsage(1_000, 500));
        assertThat(charge.costUsd()).as("1000 x $0.59/M + 500 x $0.79/M").isEqualByComparingTo("0.000985");
    }

    @Test
    void aSuccessWithoutUsageIsChargedTheEstimateAndMarkedSo() {
        Ready ready = readyOnStandard();

        AttemptCharge charge = planner.charge(ready, new LlmResponse(words(40), "llama-3.3-70b-versatile", TokenUsage.NONE));

        assertThat(charge.basis()).isEqualTo(AttemptCharge.Basis.ESTIMATED);
        assertThat(charge.estimated()).isTrue();
        assertThat(charge.usage()).isEqualTo(new TokenUsage(ready.prompt().estimatedInputTokens(), 40));
    }

    @ParameterizedTest(name = "{0}: sent, no usable answer, charged the worst case")
    @ValueSource(strings = {"timeout", "connection_error", "interrupted", "bad_response", "model_timeout"})
    void aRequestThatWasSentWithoutAnAnswerIsChargedItsPromptAndWholeOutputCap(String code) {
        Ready ready = readyOnStandard();

        AttemptCharge charge = planner.charge(ready, LlmException.transientError(code, "lost", null));

        assertThat(charge.basis()).isEqualTo(AttemptCharge.Basis.WORST_CASE);
        assertThat(charge.usage()).isEqualTo(new TokenUsage(ready.prompt().estimatedInputTokens(), 800));
        assertThat(charge.costUsd()).isPositive();
    }

    @ParameterizedTest(name = "{0}: refused before the model ran, charged nothing")
    @ValueSource(strings = {"http_429", "http_503", "http_400", "connect_timeout", "throttling", "validation"})
    void aRequestTheProviderRefusedIsChargedNothing(String code) {
        AttemptCharge charge = planner.charge(readyOnStandard(), LlmException.permanentError(code, "no"));

        assertThat(charge.basis()).isEqualTo(AttemptCharge.Basis.NOT_BILLED);
        assertThat(charge.usage()).isEqualTo(TokenUsage.NONE);
        assertThat(charge.costUsd()).isZero();
    }

    private Ready readyOnStandard() {
        Conversation conversation = Conversation.of(SYSTEM, "Explain leases.");
        RoutingDecision decision = planner.router().route(conversation, Optional.empty());
        return (Ready) planner.planAttempt(conversation, decision, decision.model(), Optional.empty(),
                TokenLedger.EMPTY, 18_000);
    }
}
