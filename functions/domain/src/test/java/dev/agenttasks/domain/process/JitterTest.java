package dev.agenttasks.domain.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class JitterTest {

    private static List<Double> draw(Jitter jitter, int n) {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(jitter.getAsDouble());
        }
        return values;
    }

    @Test
    void sandboxesRestoredFromOneSnapshotDrawTheSameJitterUntilTheyReseed() {
        // Two sandboxes restored from one snapshot hold the same generator state.
        Jitter first = new Jitter(42);
        Jitter second = new Jitter(42);
        assertThat(draw(first, 5)).as("the snapshot's state alone").isEqualTo(draw(second, 5));

        first.reseed();   // what the worker's afterRestore hook does
        second.reseed();

        assertThat(draw(first, 5)).as("after the restore hook").isNotEqualTo(draw(second, 5));
    }

    @Test
    void valuesAreUniformInTheUnitInterval() {
        Jitter jitter = new Jitter();
        List<Double> values = draw(jitter, 10_000);

        assertThat(values).allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(0.0).isLessThan(1.0));
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(mean).isBetween(0.45, 0.55);
    }
}
