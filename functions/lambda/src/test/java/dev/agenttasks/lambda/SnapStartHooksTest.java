package dev.agenttasks.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SnapStartHooksTest {

    @Test
    void primingRunsBeforeTheCheckpointAndTheRestoreHookAfterTheRestore() throws Exception {
        List<String> calls = new ArrayList<>();
        SnapStartHooks hooks = SnapStartHooks.register("TestFunction", () -> calls.add("prime"), () -> calls.add("restored"));

        hooks.beforeCheckpoint(null);
        hooks.afterRestore(null);

        assertThat(calls).containsExactly("prime", "restored");
    }

    @Test
    void aPrimingThatFailsNeverFailsTheSnapshot() throws Exception {
        SnapStartHooks hooks = SnapStartHooks.register("TestFunction", () -> {
            throw new IllegalStateException("no network before the snapshot");
        }, () -> { });

        hooks.beforeCheckpoint(null);   // logged, not thrown
    }
}
