package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

/** The hand-written SigV4 signer and the AWS SDK's agree on random path segments, query values and bodies. */
class SigV4SignerProperties {

    @Property(tries = 200)
    void agreesWithTheSdkOnRandomPathsQueriesAndBodies(
            @ForAll @StringLength(min = 1, max = 12) @AlphaChars @NumericChars @Chars({'-', '_', '.', '~', ' ', '%', '+', '=', '/', '*', 'é'}) String segment,
            @ForAll @StringLength(max = 12) @AlphaChars @NumericChars @Chars({'-', '_', ' ', '+', '=', '/', '&', 'ü'}) String value,
            @ForAll @StringLength(max = 40) String body) {
        String url = "https://abc.execute-api.eu-west-1.amazonaws.com/tasks/" + SigV4Signer.encode(segment)
                + "?cursor=" + SigV4Signer.encode(value) + "&b=2&a=1&a=0";
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Idempotency-Key", "\"  spaced   key \"");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

        Map<String, String> ours = new SigV4Signer("eu-west-1", "execute-api")
                .sign("POST", URI.create(url), headers, bytes, SigV4SignerTest.NOW, SigV4SignerTest.TEMPORARY);

        assertThat(ours.get("Authorization")).as(url).isEqualTo(
                SigV4SignerTest.sdkSign("POST", url, headers, bytes, SigV4SignerTest.TEMPORARY, "eu-west-1").firstMatchingHeader("Authorization").orElseThrow());
    }

    @Example
    void agreesWithTheSdkOnAPathEndingInADotSegment() {
        for (String segment : new String[] {".", ".."}) {
            agreesWithTheSdkOnRandomPathsQueriesAndBodies(segment, "", "");
        }
    }
}
