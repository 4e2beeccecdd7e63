package dev.agenttasks.providers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

/** Provider text copied into an exception message or a log line carries no key, configured or not. */
class SecretRedactorTest {

    private static final String CONFIGURED = "my-own-proxy-key-7b1f0c";
    private final SecretRedactor redactor = SecretRedactor.removing(CONFIGURED);

    @Test
    void theConfiguredKeyIsRemovedWhateverItLooksLike() {
        assertThat(redactor.redact("Invalid key " + CONFIGURED + ", and again:" + CONFIGURED))
                .isEqualTo("Invalid key [redacted], and again:[redacted]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // Groq keys, whole and masked as Groq's own errors print them
            "Invalid API Key: gsk_0123456789abcdefghijABCDEFGHIJ0123456789abcdefghij | Invalid API Key: [redacted]",
            "key gsk_****************************************cdEf was revoked | key [redacted] was revoked",
            // OpenAI keys: legacy, project and service-account keys, and the masked form OpenAI prints
            "Incorrect API key provided: sk-proj-abc123DEF456ghi789JKL012mno345PQR. | Incorrect API key provided: [redacted].",
            "Incorrect API key provided: sk-proj-********************************************************AbCd. You can find | Incorrect API key provided: [redacted]. You can find",
            "key=sk-1234567890abcdefghijklmnopqrstuvwxyzABCDEFGH&x=1 | key=[redacted]&x=1",
            "sk-svcacct-AbCdEf0123456789_-xyz | [redacted]",
            "sk-ant-api03-AbCdEf0123456789 | [redacted]",
            "(sk-...wxyz) | ([redacted])",
            // bearer tokens echoed with the request
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl rejected | Authorization: Bearer [redacted] rejected",
            "authorization: bearer abc.DEF-123_~+/= | authorization: bearer [redacted]",
            // AWS access key ids, long-term and temporary
            "signed with AKIAIOSFODNN7EXAMPLE | signed with [redacted]",
            "credential ASIAXMPLEXAMPLE7ALIC/20261128/us-east-1 | credential [redacted]/20261128/us-east-1",
            "AKIA****************MPLE | [redacted]",
            // Google API keys
            "key AIzaSyA-0123456789abcdefghijklmnopqrstu is invalid | key [redacted] is invalid",
    })
    void anythingThatLooksLikeAKeyOrAMaskedKeyIsRemoved(String text, String expected) {
        assertThat(redactor.redact(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01hq`",
            "the task-runner asked: risk-free? desk-top ask-me",
            "Please try again in 7.66s. Visit https://console.groq.com/docs/rate-limits for more information.",
            "ASIAN markets; AKIA; a bearer of bad news",
            "model_decommissioned: gsk is not a key",
    })
    void ordinaryProviderTextIsLeftAlone(String text) {
        assertThat(redactor.redact(text)).isEqualTo(text);
    }

    @Property(tries = 300)
    void aGroqKeyNeverSurvivesWhateverSurroundsIt(@ForAll @AlphaChars @NumericChars @StringLength(min = 20, max = 60) String secret,
                                                  @ForAll @StringLength(max = 30) String before,
                                                  @ForAll @StringLength(max = 30) String after) {
        String key = "gsk_" + secret;

        assertThat(SecretRedactor.removing(null).redact(before + " " + key + " " + after)).doesNotContain(key);
        assertThat(SecretRedactor.removing(null).redact(before + key + after)).doesNotContain(secret);
    }

    @Test
    void nullStaysNullAndABlankConfiguredKeyIsIgnored() {
        assertThat(redactor.redact(null)).isNull();
        assertThat(SecretRedactor.removing(" ").redact("a b")).isEqualTo("a b");
        assertThat(SecretRedactor.removing(null).redact("sk-proj-abcdEFGH1234")).isEqualTo("[redacted]");
    }

    @Test
    void aShortConfiguredKeyIsRemovedWhereItStandsAloneWithoutBlankingWords() {
        SecretRedactor shortKey = SecretRedactor.removing("x");

        assertThat(shortKey.redact("bad key: x; expected xml")).isEqualTo("bad key: [redacted]; expected xml");
    }
}
