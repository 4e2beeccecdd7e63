package dev.agenttasks.domain.port;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A circuit breaker's stored state. A breaker never written is {@link #closed closed} with no failures.
 *
 * <p>Failures are counted in time slots ({@code failureSlots}: slot start → failures in it), each written
 * with an atomic add, so concurrent writers never lose a count. A slot counts towards the window while its
 * start lies within the window and after {@code countedAfter} (set whenever the breaker opens or is forced
 * closed), so failures from before an outage never count after it.
 *
 * @param open             whether the breaker is open (calls are held until {@code openUntil}, then one probe)
 * @param openedAt         when the breaker last opened from closed (kept through failed probes); null when closed
 * @param openUntil        when the next probe may start; null when closed
 * @param failedProbes     probes that failed since the breaker opened (sets how long it stays open)
 * @param probeOwner       the holder of the probe right, or null
 * @param probeExpiresAt   when the probe right lapses if its holder never reports, or null
 * @param rateLimitedUntil calls are held until then because the provider rate-limited them, or null
 */
public record BreakerRecord(BreakerKey key, boolean open, Map<Instant, Long> failureSlots, Instant countedAfter,
                            Instant openedAt, Instant openUntil, int failedProbes, String probeOwner,
                            Instant probeExpiresAt, Instant rateLimitedUntil) {

    public BreakerRecord {
        Objects.requireNonNull(key, "key");
        failureSlots = Collections.unmodifiableMap(new TreeMap<>(failureSlots));
        if (open && openUntil == null) {
            openUntil = openedAt != null ? openedAt : Instant.EPOCH;
        }
    }

    public static BreakerRecord closed(BreakerKey key) {
        return new BreakerRecord(key, false, Map.of(), null, null, null, 0, null, null, null);
    }

    /** Failures in the slots that started within {@code window} before {@code now} and after {@code countedAfter}. */
    public long failuresInWindow(Instant now, Duration window) {
        Instant from = now.minus(window);
        return failureSlots.entrySet().stream()
                .filter(slot -> counts(slot.getKey(), from))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /** Slots that no longer count (out of the window, or from before {@code countedAfter}): safe to remove. */
    public Set<Instant> staleSlots(Instant now, Duration window) {
        Instant from = now.minus(window);
        return failureSlots.keySet().stream().filter(slot -> !counts(slot, from)).collect(Collectors.toUnmodifiableSet());
    }

    /** Whether someone holds a probe right that has not lapsed. */
    public boolean probeLive(Instant now) {
        return probeOwner != null && probeExpiresAt != null && probeExpiresAt.isAfter(now);
    }

    public boolean rateLimitedAt(Instant now) {
        return rateLimitedUntil != null && rateLimitedUntil.isAfter(now);
    }

    private boolean counts(Instant slot, Instant from) {
        return slot.isAfter(from) && (countedAfter == null || slot.isAfter(countedAfter));
    }
}
