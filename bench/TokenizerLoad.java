import dev.agenttasks.domain.routing.TokenCounter;

/**
 * How long the first token count takes in a fresh JVM (it loads cl100k_base's ranks), and a large count after it.
 * Run after bench/routing-report.sh has built the class path:
 *   java -XX:+TieredCompilation -XX:TieredStopAtLevel=1 \
 *     -cp "functions/domain/target/classes:$(cat functions/domain/target/runtime-classpath.txt)" bench/TokenizerLoad.java
 */
public class TokenizerLoad {
    public static void main(String[] args) {
        long start = System.nanoTime();
        int small = TokenCounter.cl100k().count("What is an idempotency key?");
        long loaded = System.nanoTime();
        String large = "The worker claims the task, renews its lease and records one outcome. ".repeat(1_400);
        int tokens = TokenCounter.cl100k().count(large);
        long counted = System.nanoTime();
        System.out.printf("first count (loads cl100k_base): %.0f ms; then %d chars = %d tokens in %.1f ms%n",
                (loaded - start) / 1e6, large.length(), tokens, (counted - loaded) / 1e6);
        if (small <= 0) {
            throw new AssertionError("no tokens counted");
        }
    }
}
