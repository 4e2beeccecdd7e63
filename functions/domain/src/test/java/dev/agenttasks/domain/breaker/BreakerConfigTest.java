package dev.agenttasks.domain.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;

class BreakerConfigTest {

    @Test
    void theDefaultsAreTheServiceDefaults() {
        BreakerConfig config = BreakerConfig.ofDefaults();

        assertThat(config.failureThreshold()).isEqualTo(5);
        assertThat(config.window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.recovery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.probeRight()).isEqualTo(Duration.ofSeconds(35));
        assertThat(config.cacheTtl()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.slotLength()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void theSettingsComeFromTheConfigurationAndTheProbeRightFromTheCallTimeout() {
        BreakerConfig config = BreakerConfig.from(Config.of(Map.of("BREAKER_FAILURE_THRESHOLD", "3",
                "BREAKER_WINDOW_SECONDS", "20", "BREAKER_RECOVERY_SECONDS", "600", "LLM_TIMEOUT_MS", "10000")));

        assertThat(config.failureThreshold()).isEqualTo(3);
        assertThat(config.window()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.recovery()).isEqualTo(Duration.ofSeconds(600));
        assertThat(config.maxOpen()).as("never shorter than the recovery").isEqualTo(Duration.ofSeconds(600));
        assertThat(config.probeRight()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void theOpenTimeDoublesWithEachFailedProbeUpToTheCap() {
        BreakerConfig config = BreakerConfig.ofDefaults();

        assertThat(config.openDuration(0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.openDuration(1)).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.openDuration(3)).isEqualTo(Duration.ofSeconds(240));
        assertThat(config.openDuration(4)).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.openDuration(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aSlotIsNeverLongerThanTheRecovery() {
        BreakerConfig config = BreakerConfig.custom().window(Duration.ofMinutes(10)).recovery(Duration.ofSeconds(5)).build();

        assertThat(config.slotLength()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> BreakerConfig.custom().failureThreshold(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failureThreshold");
        assertThatThrownBy(() -> BreakerConfig.custom().window(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
        assertThatThrownBy(() -> BreakerConfig.custom().maxOpen(Duration.ofSeconds(10)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxOpen");
    }
}
