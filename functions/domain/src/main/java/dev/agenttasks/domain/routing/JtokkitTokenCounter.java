package dev.agenttasks.domain.routing;

import java.util.concurrent.atomic.AtomicBoolean;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * A {@link TokenCounter} backed by JTokkit. The encoding's ranks (a 1.7 MB resource) are read on the first count,
 * once per process; only cl100k_base ships in the function jars.
 */
final class JtokkitTokenCounter implements TokenCounter {

    static final JtokkitTokenCounter CL100K = new JtokkitTokenCounter(EncodingType.CL100K_BASE);

    private final EncodingType type;
    private final AtomicBoolean loadStarted = new AtomicBoolean();
    private volatile Encoding encoding;

    JtokkitTokenCounter(EncodingType type) {
        this.type = type;
    }

    @Override
    public int count(String text) {
        return text == null || text.isEmpty() ? 0 : encoding().countTokensOrdinary(text);
    }

    @Override
    public String name() {
        return type.getName();
    }

    /**
     * Starts reading the ranks on a daemon thread unless that has begun, so the first count waits for less of it
     * (about 0.3-0.4 s in a fresh JVM on the development machine; docs/benchmarks.md).
     */
    void loadInBackground() {
        if (encoding == null && loadStarted.compareAndSet(false, true)) {
            Thread loader = new Thread(this::encoding, "cl100k-load");
            loader.setDaemon(true);
            loader.start();
        }
    }

    boolean loaded() {
        return encoding != null;
    }

    private Encoding encoding() {
        Encoding loaded = encoding;
        if (loaded == null) {
            synchronized (this) {
                loaded = encoding;
                if (loaded == null) {
                    loaded = Encodings.newLazyEncodingRegistry().getEncoding(type);
                    encoding = loaded;
                }
            }
        }
        return loaded;
    }
}
