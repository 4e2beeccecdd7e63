package dev.agenttasks.domain.routing;

import java.util.concurrent.atomic.AtomicInteger;

/** A token counter for exact edges in tests: one token per whitespace-separated word; counts its calls. */
final class WordTokens implements TokenCounter {

    final AtomicInteger calls = new AtomicInteger();

    @Override
    public int count(String text) {
        calls.incrementAndGet();
        return ModelRouter.wordCount(text);
    }

    @Override
    public String name() {
        return "words";
    }

    /** A text of {@code n} words. */
    static String words(int n) {
        return "word ".repeat(n).strip();
    }
}
