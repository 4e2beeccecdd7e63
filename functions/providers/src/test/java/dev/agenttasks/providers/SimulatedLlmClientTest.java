package dev.agenttasks.providers;

import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedLlmClientTest {

    private static final String MODEL = "llama-3.1-8b-instant";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final SimulatedLlmClient instant = new SimulatedLlmClient(Duration.ZERO, 0.0, "[fail-permanently]", 1L);

    @Test
    void answersAreLabelledAndEchoTheTask() {
        LlmResponse response = instant.complete(request("Summarise the quarterly report"));

        assertThat(response.content()).startsWith("[simulated " + MODEL + "]").contains("Summarise the quarterly report");
        assertThat(response.model()).isEqualTo(MODEL);
        assertThat(instant.provider()).isEqualTo("simulated");
    }

    @Test
    void sameRequestGivesTheSameAnswer() {
        SimulatedLlmClient other = new SimulatedLlmClient(Duration.ZERO, 0.0, "[fail-permanently]", 99L);

        assertThat(instant.complete(request("Plan a trip"))).isEqualTo(instant.complete(request("Plan a trip")))
                .isEqualTo(other.complete(request("Plan a trip")));
        assertThat(instant.complete(request("Plan a trip")).content())
                .isNotEqualTo(instant.complete(request("Plan a holiday")).content());
    }

    @Test
    void longTasksAreSummarisedOnOneLine() {
        String task = "Write\n a detailed   essay " + "about reliability ".repeat(40);

        String content = instant.complete(request(task)).content();

        assertThat(content).contains("Write a detailed essay about").endsWith("…").doesNotContain("\n");
        assertThat(content.length()).isLessThan(task.length());
    }

    @Test
    void usageIsAboutFourCharactersPerTokenAndAtLeastOne() {
        LlmRequest fortyChars = new LlmRequest(MODEL, List.of(LlmRequest.ChatMessage.user("x".repeat(40))), 1_000, TIMEOUT);
        LlmRequest twoChars = new LlmRequest(MODEL, List.of(LlmRequest.ChatMessage.user("hi")), 1_000, TIMEOUT);
        LlmRequest capped = new LlmRequest(MODEL, List.of(LlmRequest.ChatMessage.user("x".repeat(400))), 2, TIMEOUT);

        LlmResponse forty = instant.complete(fortyChars);

        assertThat(forty.usage().inputTokens()).isEqualTo(10);
        assertThat(forty.usage().outputTokens()).isEqualTo(forty.content().length() / 4);
        assertThat(instant.complete(twoChars).usage().inputTokens()).isEqualTo(1);
        assertThat(instant.complete(capped).usage().outputTokens()).isEqualTo(2);
    }

    @Test
    void waitsForTheConfiguredLatency() {
        SimulatedLlmClient slow = new SimulatedLlmClient(Duration.ofMillis(40), 0.0, "", 1L);
        long started = System.nanoTime();

        slow.complete(request("hello"));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(40));
    }

    @Test
    void latencyBeyondTheTimeoutIsATransientTimeout() {
        SimulatedLlmClient slow = new SimulatedLlmClient(Duration.ofSeconds(5), 0.0, "", 1L);
        long started = System.nanoTime();

        LlmException e = catchThrowableOfType(LlmException.class,
                () -> slow.complete(new LlmRequest(MODEL, List.of(LlmRequest.ChatMessage.user("hello")), 100, Duration.ofMillis(50))));

        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(50)).isLessThan(Duration.ofSeconds(2));
        assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("timeout");
    }

    @Test
    void markerInTheTaskFailsPermanently() {
        LlmException e = catchThrowableOfType(LlmException.class,
                () -> instant.complete(request("Please [fail-permanently] for the demo")));

        assertThat(e.kind()).isEqualTo(LlmException.Kind.PERMANENT);
        assertThat(e.code()).isEqualTo("simulated_permanent_failure");
        assertThat(e.httpStatus()).contains(400);
    }

    @Test
    void markerOnlyInTheSystemPromptDoesNotFail() {
        LlmRequest request = new LlmRequest(MODEL, List.of(
                LlmRequest.ChatMessage.system("Never say [fail-permanently]"),
                LlmRequest.ChatMessage.user("hello")), 100, TIMEOUT);

        assertThat(instant.complete(request).content()).startsWith("[simulated ");
    }

    @Test
    void failureRateOneAlwaysFailsTransiently() {
        SimulatedLlmClient failing = new SimulatedLlmClient(Duration.ZERO, 1.0, "", 1L);

        for (int i = 0; i < 5; i++) {
            LlmException e = catchThrowableOfType(LlmException.class, () -> failing.complete(request("hello")));
            assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
            assertThat(e.code()).isEqualTo("simulated_failure");
            assertThat(e.httpStatus()).contains(503);
        }
    }

    @Test
    void failuresFollowTheSeed() {
        List<Boolean> first = outcomes(new SimulatedLlmClient(Duration.ZERO, 0.5, "", 7L), 40);
        List<Boolean> second = outcomes(new SimulatedLlmClient(Duration.ZERO, 0.5, "", 7L), 40);

        assertThat(first).isEqualTo(second).contains(true, false);
    }

    @Test
    void interruptedWhileWaitingIsTransientAndKeepsTheFlag() {
        SimulatedLlmClient slow = new SimulatedLlmClient(Duration.ofSeconds(5), 0.0, "", 1L);
        Thread.currentThread().interrupt();
        try {
            LlmException e = catchThrowableOfType(LlmException.class, () -> slow.complete(request("hello")));

            assertThat(e.kind()).isEqualTo(LlmException.Kind.TRANSIENT);
            assertThat(e.code()).isEqualTo("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void readsItsKnobsFromTheConfiguration() {
        SimulatedLlmClient configured = SimulatedLlmClient.fromConfig(Config.of(Map.of(
                "SIMULATED_LATENCY_MS", "7",
                "SIMULATED_FAILURE_RATE", "0.25",
                "SIMULATED_PERMANENT_FAILURE_MARKER", "#boom")).simulated());

        assertThat(configured.latency()).isEqualTo(Duration.ofMillis(7));
        assertThat(configured.failureRate()).isEqualTo(0.25);
        assertThat(configured.permanentFailureMarker()).isEqualTo("#boom");
    }

    @Test
    void configurationDefaults() {
        SimulatedLlmClient defaults = SimulatedLlmClient.fromConfig(Config.of(Map.of()).simulated());

        assertThat(defaults.latency()).isEqualTo(Duration.ofMillis(50));
        assertThat(defaults.failureRate()).isZero();
        assertThat(defaults.permanentFailureMarker()).isEqualTo("[fail-permanently]");
    }

    @Test
    void rejectsOutOfRangeKnobs() {
        assertThatThrownBy(() -> SimulatedLlmClient.fromConfig(Config.of(Map.of("SIMULATED_FAILURE_RATE", "1.5")).simulated()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SIMULATED_FAILURE_RATE");
        assertThatThrownBy(() -> SimulatedLlmClient.fromConfig(Config.of(Map.of("SIMULATED_LATENCY_MS", "-1")).simulated()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SIMULATED_LATENCY_MS");
        assertThatThrownBy(() -> new SimulatedLlmClient(Duration.ZERO, Double.NaN, "", 1L))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Boolean> outcomes(SimulatedLlmClient client, int calls) {
        List<Boolean> failed = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            try {
                client.complete(request("hello"));
                failed.add(false);
            } catch (LlmException e) {
                failed.add(true);
            }
        }
        return failed;
    }

    private static LlmRequest request(String task) {
        return new LlmRequest(MODEL, List.of(LlmRequest.ChatMessage.system("You are terse."), LlmRequest.ChatMessage.user(task)),
                256, TIMEOUT);
    }
}
