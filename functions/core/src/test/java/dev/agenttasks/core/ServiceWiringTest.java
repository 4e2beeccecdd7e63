package dev.agenttasks.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agenttasks.core.config.Settings;

class ServiceWiringTest {

    private static ServiceWiring wiring(Map<String, String> env) {
        return new ServiceWiring(Settings.of(env), Clock.systemUTC());
    }

    @Test
    void taskRecordsOutliveTheirDeadlineByAtLeastADay() {
        assertThat(wiring(Map.of("TASK_MAX_AGE_SECONDS", "1209600", "TASK_RETENTION_SECONDS", "604800")).taskRetention())
                .isEqualTo(Duration.ofDays(15));
        assertThat(wiring(Map.of()).taskRetention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void theProviderNameFollowsTheSameRulesAsTheFactory() {
        assertThat(wiring(Map.of()).llmProviderName()).isEqualTo("simulated");
        assertThat(wiring(Map.of("LLM_API_KEY", "k")).llmProviderName()).isEqualTo("openai");
        assertThat(wiring(Map.of("LLM_API_KEY_PARAMETER", "/p")).llmProviderName()).isEqualTo("openai");
        assertThat(wiring(Map.of("LLM_PROVIDER", "Simulated", "LLM_API_KEY", "k")).llmProviderName()).isEqualTo("simulated");
    }
}
