package dev.agenttasks.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class TokenCounterProperties {

    @Property(tries = 300)
    void noTextHasMoreTokensThanUtf8Bytes(@ForAll String text) {
        assertThat(TokenCounter.cl100k().count(text)).isLessThanOrEqualTo(TokenCounter.upperBound(text));
    }
}
