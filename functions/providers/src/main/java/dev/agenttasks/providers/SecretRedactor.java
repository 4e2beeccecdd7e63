package dev.agenttasks.providers;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from provider text (error bodies, parser messages) before it goes into an exception
 * message or a log line: the configured API key, and anything shaped like a key or a masked key, since a
 * provider or a proxy may echo another key than ours (Groq {@code gsk_…}, OpenAI {@code sk-…}, a
 * {@code Bearer …} token, AWS access key ids {@code AKIA…}/{@code ASIA…}, Google {@code AIza…}, and the
 * masked forms providers print, e.g. {@code gsk_****abcd}, {@code sk-proj-****AbCd}).
 *
 * <p>It is for diagnostics only, never for a completion's content: a model may legitimately write text that
 * looks like a key.
 */
public final class SecretRedactor {

    public static final String REDACTED = "[redacted]";

    /** Below this length the configured key is removed only where it stands alone, not inside words. */
    static final int MIN_KEY_LENGTH_FOR_SUBSTRING_MATCH = 8;

    private static final String KEY_CHARS = "[A-Za-z0-9_*\\-]";
    /** A key body: key characters and dots, not ending in a dot (so a sentence's full stop survives). */
    private static final String KEY_BODY = "[A-Za-z0-9_*.\\-]{%d,}" + KEY_CHARS;

    private static final List<Pattern> KEY_SHAPES = List.of(
            Pattern.compile("gsk_" + KEY_BODY.formatted(3)),
            Pattern.compile("(?<![A-Za-z0-9_\\-])sk-" + KEY_BODY.formatted(5)),
            Pattern.compile("(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9*]{12,}(?![A-Za-z0-9])"),
            Pattern.compile("AIza[0-9A-Za-z_\\-]{35}"));
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer\\s+)[A-Za-z0-9._~+/=\\-]{8,}");

    private final Pattern configuredKey;

    private SecretRedactor(Pattern configuredKey) {
        this.configuredKey = configuredKey;
    }

    /** A redactor that also removes {@code configuredKey} (ignored when null or blank). */
    public static SecretRedactor removing(String configuredKey) {
        if (configuredKey == null || configuredKey.isBlank()) {
            return new SecretRedactor(null);
        }
        String key = configuredKey.strip();
        String quoted = Pattern.quote(key);
        return new SecretRedactor(Pattern.compile(key.length() >= MIN_KEY_LENGTH_FOR_SUBSTRING_MATCH ? quoted
                : "(?<![A-Za-z0-9])" + quoted + "(?![A-Za-z0-9])"));
    }

    /** {@code text} with every secret replaced by {@value #REDACTED}; null stays null. */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        if (configuredKey != null) {
            result = configuredKey.matcher(result).replaceAll(Matcher.quoteReplacement(REDACTED));
        }
        result = BEARER.matcher(result).replaceAll("$1" + Matcher.quoteReplacement(REDACTED));
        for (Pattern shape : KEY_SHAPES) {
            result = shape.matcher(result).replaceAll(Matcher.quoteReplacement(REDACTED));
        }
        return result;
    }
}
