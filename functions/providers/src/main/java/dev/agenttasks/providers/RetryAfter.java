package dev.agenttasks.providers;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a provider's wait hints: {@code Retry-After} (RFC 9110 §10.2.3: delta-seconds or an
 * HTTP-date) and Groq's {@code x-ratelimit-reset-requests} / {@code x-ratelimit-reset-tokens}
 * (Go durations such as {@code 2m59.56s}). Invalid values are ignored; results are never negative.
 */
public final class RetryAfter {

    public static final String RETRY_AFTER = "retry-after";
    public static final String RESET_REQUESTS = "x-ratelimit-reset-requests";
    public static final String RESET_TOKENS = "x-ratelimit-reset-tokens";
    public static final String REMAINING_REQUESTS = "x-ratelimit-remaining-requests";
    public static final String REMAINING_TOKENS = "x-ratelimit-remaining-tokens";

    // Nine integer digits (~31 years) keep the value in a long of nanoseconds.
    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d{1,9}(\\.\\d+)?");
    private static final Pattern GO_DURATION_PART =
            Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final BigInteger MAX_GO_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

    private RetryAfter() {
    }

    /**
     * The wait a response asks for: the largest of {@code Retry-After} and the applicable
     * {@code x-ratelimit-reset-*} hints. A reset hint applies unless its matching
     * {@code x-ratelimit-remaining-*} header shows capacity left: Groq reports the requests-per-day
     * window's reset (minutes away) even when only the token limit was hit.
     */
    public static Optional<Duration> fromHeaders(HttpHeaders headers, Clock clock) {
        Optional<Duration> longest = headers.firstValue(RETRY_AFTER).flatMap(v -> parseRetryAfter(v, clock));
        if (exhaustedOrUnknown(headers, REMAINING_REQUESTS)) {
            longest = max(longest, headers.firstValue(RESET_REQUESTS).flatMap(RetryAfter::parseGoDuration));
        }
        if (exhaustedOrUnknown(headers, REMAINING_TOKENS)) {
            longest = max(longest, headers.firstValue(RESET_TOKENS).flatMap(RetryAfter::parseGoDuration));
        }
        return longest;
    }

    /** A {@code Retry-After} value: delta-seconds (fractions accepted) or an HTTP-date; a past date gives zero. */
    public static Optional<Duration> parseRetryAfter(String value, Clock clock) {
        if (value == null) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        if (DELTA_SECONDS.matcher(trimmed).matches()) {
            long nanos = new BigDecimal(trimmed).movePointRight(9).setScale(0, RoundingMode.DOWN).longValueExact();
            return Optional.of(Duration.ofNanos(nanos));
        }
        return parseHttpDate(trimmed, clock).map(date -> {
            Duration until = Duration.between(clock.instant(), date);
            return until.isNegative() ? Duration.ZERO : until;
        });
    }

    /**
     * A Go {@code time.Duration} string ({@code 1h2m3.5s}, {@code 120ms}, {@code 0}); negative
     * or malformed values are empty.
     */
    public static Optional<Duration> parseGoDuration(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String s = value.trim();
        if (s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Matcher part = GO_DURATION_PART.matcher(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int position = 0;
        while (position < s.length()) {
            if (!part.region(position, s.length()).lookingAt()) {
                return Optional.empty();
            }
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(nanosPerUnit(part.group(2))));
            position = part.end();
        }
        BigInteger whole = nanos.toBigInteger();
        if (whole.compareTo(MAX_GO_NANOS) > 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(whole.longValueExact()));
    }

    private static Optional<Instant> parseHttpDate(String value, Clock clock) {
        for (DateTimeFormatter format : new DateTimeFormatter[] {IMF_FIXDATE, rfc850(clock), ASCTIME}) {
            try {
                return Optional.of(ZonedDateTime.parse(value, format).toInstant());
            } catch (DateTimeException ignored) {
                // Try the next of the three formats RFC 9110 requires recipients to accept.
            }
        }
        return Optional.empty();
    }

    /** RFC 850 dates have a two-digit year; RFC 9110 maps those over 50 years ahead into the past. */
    private static DateTimeFormatter rfc850(Clock clock) {
        int thisYear = clock.instant().atZone(ZoneOffset.UTC).getYear();
        return new DateTimeFormatterBuilder()
                .appendPattern("EEEE, dd-MMM-")
                .appendValueReduced(ChronoField.YEAR, 2, 2, thisYear - 49)
                .appendPattern(" HH:mm:ss 'GMT'")
                .toFormatter(Locale.US)
                .withZone(ZoneOffset.UTC);
    }

    private static boolean exhaustedOrUnknown(HttpHeaders headers, String remainingHeader) {
        Optional<String> remaining = headers.firstValue(remainingHeader);
        if (remaining.isEmpty()) {
            return true;
        }
        try {
            return Long.parseLong(remaining.get().trim()) <= 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static Optional<Duration> max(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().compareTo(b.get()) >= 0 ? a : b;
    }

    private static BigDecimal nanosPerUnit(String unit) {
        long nanos = switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("unit " + unit);
        };
        return BigDecimal.valueOf(nanos);
    }
}
