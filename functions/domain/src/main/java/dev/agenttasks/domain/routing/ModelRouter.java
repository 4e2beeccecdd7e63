package dev.agenttasks.domain.routing;

import java.util.List;
import java.util.Locale;

/**
 * The lesson's routing heuristic: a task that names a simple kind of work ("what is", "define", ...)
 * and is under 20 words goes to the small model; everything else to the large one.
 */
public final class ModelRouter {

    public static final String SMALL_MODEL = "llama-3.1-8b-instant";
    public static final String LARGE_MODEL = "llama-3.3-70b-versatile";
    public static final int SMALL_MAX_TOKENS = 400;
    public static final int LARGE_MAX_TOKENS = 800;
    public static final int SHORT_TASK_WORDS = 20;
    public static final List<String> SIMPLE_TASK_INDICATORS = List.of(
            "what is", "define", "summarise", "list", "classify", "yes or no", "true or false", "how many");

    private final ModelRoute small;
    private final ModelRoute large;

    private ModelRouter(ModelRoute small, ModelRoute large) {
        this.small = small;
        this.large = large;
    }

    public static ModelRouter ofDefaults() {
        return new ModelRouter(new ModelRoute(SMALL_MODEL, SMALL_MAX_TOKENS, ModelRoute.Tier.SIMPLE),
                new ModelRoute(LARGE_MODEL, LARGE_MAX_TOKENS, ModelRoute.Tier.STANDARD));
    }

    public static ModelRouter of(ModelRoute small, ModelRoute large) {
        return new ModelRouter(small, large);
    }

    public ModelRoute route(String task) {
        String lower = task.toLowerCase(Locale.ROOT);
        boolean simple = SIMPLE_TASK_INDICATORS.stream().anyMatch(lower::contains);
        boolean shortTask = wordCount(task) < SHORT_TASK_WORDS;
        return simple && shortTask ? small : large;
    }

    /** Words as Python's {@code str.split()} counts them: runs of non-whitespace. */
    static int wordCount(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
