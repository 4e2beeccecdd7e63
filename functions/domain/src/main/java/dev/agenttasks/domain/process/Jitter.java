package dev.agenttasks.domain.process;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * The random source of backoff jitter: uniform in [0, 1), seeded from {@link SecureRandom}.
 *
 * <p>Why not {@code ThreadLocalRandom}: its per-thread seeds come from one JVM-wide seed drawn at class load, so
 * every sandbox that Lambda SnapStart restores from one snapshot draws the same sequence, and workers that failed
 * together would retry together, which is what jitter is for preventing. {@link #reseed()} draws a fresh seed; the
 * worker calls it after each restore (see docs/observability.md, "SnapStart").
 */
public final class Jitter implements DoubleSupplier {

    private static final SecureRandom SEEDS = new SecureRandom();

    private final AtomicReference<SplittableRandom> random;

    public Jitter() {
        this(SEEDS.nextLong());
    }

    /** A source with a known seed: what a snapshot holds (tests). */
    Jitter(long seed) {
        this.random = new AtomicReference<>(new SplittableRandom(seed));
    }

    @Override
    public double getAsDouble() {
        SplittableRandom source = random.get();
        synchronized (source) {
            return source.nextDouble();
        }
    }

    /** A fresh seed from the operating system's entropy, as after a SnapStart restore. */
    public void reseed() {
        random.set(new SplittableRandom(SEEDS.nextLong()));
    }
}
