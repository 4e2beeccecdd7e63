package dev.agenttasks.lambda.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogMessageTest {

    private final RuntimeException boom = new RuntimeException("boom");

    @Test
    void placeholdersAreFilledInOrderAndExtraOnesStay() {
        assertThat(LogMessage.of("task {} answered by {}", new Object[] {"k5v2", "llama"}, null))
                .isEqualTo(new LogMessage("task k5v2 answered by llama", null));
        assertThat(LogMessage.of("too few {} {}", new Object[] {1}, null).text()).isEqualTo("too few 1 {}");
        assertThat(LogMessage.of("array {}", new Object[] {new int[] {1, 2}}, null).text()).isEqualTo("array [1, 2]");
        assertThat(LogMessage.of("null {}", new Object[] {null}, null).text()).isEqualTo("null null");
    }

    @Test
    void withoutArgumentsTheMessageIsAsWrittenEvenWithBraces() {
        assertThat(LogMessage.of("literal {} and \\{}", null, null).text()).isEqualTo("literal {} and \\{}");
        assertThat(LogMessage.of(null, null, null).text()).isEqualTo("null");
    }

    @Test
    void anEscapedPlaceholderIsNotFilledAndAnEscapedBackslashIsOne() {
        assertThat(LogMessage.of("escaped \\{} and {}", new Object[] {"x"}, null).text()).isEqualTo("escaped {} and x");
        assertThat(LogMessage.of("backslash \\\\{} and {}", new Object[] {"x", "y"}, null).text())
                .isEqualTo("backslash \\x and y");
    }

    @Test
    void aTrailingThrowableNoPlaceholderTakesIsTheEventsThrowable() {
        LogMessage message = LogMessage.of("task {} failed", new Object[] {"k5v2", boom}, null);

        assertThat(message.text()).isEqualTo("task k5v2 failed");
        assertThat(message.throwable()).isSameAs(boom);
        assertThat(LogMessage.of("failed", new Object[] {boom}, null).throwable()).isSameAs(boom);
    }

    @Test
    void aThrowableAPlaceholderTakesIsWrittenIntoTheMessageAndIsNoThrowable() {
        LogMessage message = LogMessage.of("task {} failed: {}", new Object[] {"k5v2", boom}, null);

        assertThat(message.text()).isEqualTo("task k5v2 failed: java.lang.RuntimeException: boom");
        assertThat(message.throwable()).isNull();
        assertThat(LogMessage.of("escaped \\{} so {}", new Object[] {boom}, null).throwable())
                .as("the escaped pair is no placeholder; the other takes it").isNull();
        assertThat(LogMessage.of("escaped \\{} only", new Object[] {boom}, null).throwable()).isSameAs(boom);
    }

    @Test
    void aThrowableGivenApartStaysTheThrowableWhateverTheArguments() {
        IllegalStateException cause = new IllegalStateException("cause");

        LogMessage message = LogMessage.of("{} {}", new Object[] {"a"}, cause);

        assertThat(message).isEqualTo(new LogMessage("a {}", cause));
        assertThat(LogMessage.of("plain {}", null, cause)).isEqualTo(new LogMessage("plain {}", cause));
    }
}
