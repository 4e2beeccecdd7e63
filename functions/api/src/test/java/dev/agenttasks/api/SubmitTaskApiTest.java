package dev.agenttasks.api;

import static dev.agenttasks.api.ApiHarness.getTask;
import static dev.agenttasks.api.ApiHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.agenttasks.domain.submit.SubmitTaskService;

/** {@code POST /tasks} semantics over in-memory ports: idempotency, limits, and what problems say. */
class SubmitTaskApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = "alice";
    private static final String BOB = "bob";
    private static final String BODY = "{\"task\":\"Summarise RFC 9457.\"}";

    private final ApiHarness api = new ApiHarness();

    @Test
    void acceptsATaskStoresItPendingAndEnqueuesIt() throws Exception {
        HttpResponse response = api.submit(post(ALICE, BODY));

        assertThat(response.status()).isEqualTo(202);
        JsonNode body = JSON.readTree(response.body());
        String id = body.get("task_id").asText();
        assertThat(body.get("status").asText()).isEqualTo("pending");
        assertThat(response.headers()).containsEntry("Location", "/tasks/" + id);
        assertThat(api.queue.sent()).containsExactly(id);
        assertThat(api.tasks.find(id)).hasValueSatisfying(t -> assertThat(t.owner()).isEqualTo(ALICE));
    }

    @Test
    void sameKeyAndBodyReplaysTheSameTaskWithoutASecondOne() throws Exception {
        HttpResponse first = api.submit(post(ALICE, BODY, "Idempotency-Key", "k"));
        HttpResponse second = api.submit(post(ALICE, BODY, "Idempotency-Key", "\"k\""));

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.headers()).containsEntry("Idempotent-Replayed", "true")
                .containsEntry("Location", first.headers().get("Location"));
        assertThat(JSON.readTree(second.body()).get("task_id")).isEqualTo(JSON.readTree(first.body()).get("task_id"));
        assertThat(api.tasks.size()).isEqualTo(1);
        assertThat(api.queue.sent()).hasSize(1);
    }

    @Test
    void sameKeyWithADifferentBodyIs422AndCreatesNothing() throws Exception {
        api.submit(post(ALICE, BODY, "Idempotency-Key", "k"));

        HttpResponse reused = api.submit(post(ALICE, "{\"task\":\"Summarise RFC 9457.\",\"max_tokens\":10}",
                "Idempotency-Key", "k"));

        assertThat(reused.status()).isEqualTo(422);
        assertThat(JSON.readTree(reused.body()).get("type").asText())
                .isEqualTo("urn:agent-tasks:problem:idempotency-key-reused");
        assertThat(api.tasks.size()).isEqualTo(1);
    }

    @Test
    void theKeyIsNotPartOfTheFingerprint() {
        HttpResponse first = api.submit(post(ALICE, "{\"task\":\"t\",\"idempotency_key\":\"k\"}"));
        HttpResponse viaHeader = api.submit(post(ALICE, "{\"task\":\"t\"}", "Idempotency-Key", "k"));

        assertThat(viaHeader.status()).isEqualTo(200);
        assertThat(viaHeader.headers().get("Location")).isEqualTo(first.headers().get("Location"));
    }

    @Test
    void theHeaderWinsOverTheBodyField() {
        api.submit(post(ALICE, BODY, "Idempotency-Key", "header-key"));

        HttpResponse replay = api.submit(post(ALICE, "{\"task\":\"Summarise RFC 9457.\",\"idempotency_key\":\"other\"}",
                "Idempotency-Key", "header-key"));
        HttpResponse bodyKeyOnly = api.submit(post(ALICE, "{\"task\":\"Summarise RFC 9457.\",\"idempotency_key\":\"other\"}"));

        assertThat(replay.status()).isEqualTo(200);
        assertThat(bodyKeyOnly.status()).as("'other' was never bound: the header won").isEqualTo(202);
    }

    @Test
    void keysAreScopedPerCaller() {
        HttpResponse alice = api.submit(post(ALICE, BODY, "Idempotency-Key", "k"));
        HttpResponse bob = api.submit(post(BOB, BODY, "Idempotency-Key", "k"));
        HttpResponse bobDifferent = api.submit(post(BOB, "{\"task\":\"other\"}", "Idempotency-Key", "k2"));

        assertThat(bob.status()).isEqualTo(202);
        assertThat(bobDifferent.status()).isEqualTo(202);
        assertThat(bob.headers().get("Location")).isNotEqualTo(alice.headers().get("Location"));
        assertThat(api.get(getTask(BOB, alice.headers().get("Location").substring(7))).status()).isEqualTo(404);
    }

    @Test
    void aKeyExpiresAfterItsTtl() {
        HttpResponse first = api.submit(post(ALICE, BODY, "Idempotency-Key", "k"));
        api.clock.advance(ApiHarness.KEY_TTL.minusSeconds(1));
        assertThat(api.submit(post(ALICE, "{\"task\":\"other\"}", "Idempotency-Key", "k")).status()).isEqualTo(422);

        api.clock.advance(Duration.ofSeconds(1));
        HttpResponse after = api.submit(post(ALICE, "{\"task\":\"other\"}", "Idempotency-Key", "k"));

        assertThat(after.status()).isEqualTo(202);
        assertThat(after.headers().get("Location")).isNotEqualTo(first.headers().get("Location"));
    }

    @Test
    void aReplayEnqueuesATaskNeverEnqueuedOnceTheGraceHasPassed() {
        api.queue.refuse(true);
        HttpResponse first = api.submit(post(ALICE, BODY, "Idempotency-Key", "k"));
        api.queue.refuse(false);
        assertThat(first.status()).as("a task stored but not enqueued is still accepted").isEqualTo(202);
        String id = first.headers().get("Location").substring(7);
        assertThat(api.queue.sent()).isEmpty();
        assertThat(api.tasks.findDue(api.clock.instant(), 10)).as("made due at once for the reconciler")
                .extracting(due -> due.taskId()).containsExactly(id);

        api.clock.advance(Duration.ofSeconds(1));
        api.submit(post(ALICE, BODY, "Idempotency-Key", "k"));
        assertThat(api.queue.sent()).as("the first submission took the send claim").isEmpty();

        api.clock.advance(SubmitTaskService.ENQUEUE_GRACE);
        HttpResponse late = api.submit(post(ALICE, BODY, "Idempotency-Key", "k"));
        api.submit(post(ALICE, BODY, "Idempotency-Key", "k"));

        assertThat(late.status()).isEqualTo(200);
        assertThat(api.queue.sent()).containsExactly(id);
    }

    @Test
    void concurrentDuplicatesResolveToOneTask() throws Exception {
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<HttpResponse>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Callable<HttpResponse> call = () -> {
                    start.await();
                    return api.submit(post(ALICE, BODY, "Idempotency-Key", "same"));
                };
                futures.add(pool.submit(call));
            }
            start.countDown();
            Set<String> locations = new HashSet<>();
            int accepted = 0;
            for (Future<HttpResponse> f : futures) {
                HttpResponse r = f.get();
                assertThat(r.status()).isIn(200, 202);
                accepted += r.status() == 202 ? 1 : 0;
                locations.add(r.headers().get("Location"));
            }
            assertThat(locations).hasSize(1);
            assertThat(accepted).isEqualTo(1);
            assertThat(api.tasks.size()).isEqualTo(1);
            assertThat(api.queue.sent()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTaskAtTheCharacterLimitIsAcceptedAndOneMoreIs413() {
        int limit = SubmitTaskApi.DEFAULT_MAX_TASK_CHARS;
        assertThat(api.submit(post(ALICE, "{\"task\":\"" + "x".repeat(limit) + "\"}")).status()).isEqualTo(202);
        assertThat(api.submit(post(ALICE, "{\"task\":\"" + "x".repeat(limit + 1) + "\"}")).status()).isEqualTo(413);
    }

    @Test
    void theBodyLimitCountsUtf8Bytes() {
        int limit = SubmitTaskApi.DEFAULT_MAX_BODY_BYTES;
        String padding = " ".repeat(limit - BODY.length());
        assertThat(api.submit(post(ALICE, BODY + padding)).status()).isEqualTo(202);
        String twoByteChars = "{\"task\":\"t\",\"x\":\"" + "é".repeat(limit / 2) + "\"}";
        assertThat(twoByteChars.length()).isLessThan(limit);

        assertThat(api.submit(post(ALICE, twoByteChars)).status()).isEqualTo(413);
    }

    @Test
    void validationListsEveryInvalidFieldWithAPointer() throws Exception {
        HttpResponse response = api.submit(post(ALICE, "{\"task\":\"  \",\"max_tokens\":0,\"extra\":true}"));

        JsonNode problem = JSON.readTree(response.body());
        assertThat(response.status()).isEqualTo(422);
        assertThat(problem.get("type").asText()).isEqualTo("urn:agent-tasks:problem:validation-failed");
        assertThat(problem.get("errors").findValuesAsText("pointer"))
                .containsExactlyInAnyOrder("/extra", "/task", "/max_tokens");
        assertThat(problem.get("instance").asText()).isEqualTo("/tasks");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{", "{\"task\":", "[", "{\"task\":\"t\"", "\"abc", "tru", "{\"a\":1,\"a\":2}", "{} []",
        "{\"task\":\"t\",}", "{'task':'t'}", "\u0000"
    })
    void malformedJsonIs400WithoutParserInternals(String body) throws Exception {
        HttpResponse response = api.submit(post(ALICE, body));

        assertThat(response.status()).isEqualTo(400);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("type").asText()).isEqualTo("urn:agent-tasks:problem:malformed-request");
        assertThat(problem.get("detail").asText()).doesNotContain("`", "Source", "StreamRead", "REDACTED", "jackson");
    }

    @Test
    void hugeNumbersAndDeepNestingAre400WithoutParserInternals() throws Exception {
        for (String body : List.of("{\"task\":\"t\",\"max_tokens\":" + "9".repeat(1_500) + "}",
                "{\"task\":" + "[".repeat(1_500) + "]".repeat(1_500) + "}")) {
            HttpResponse response = api.submit(post(ALICE, body));

            assertThat(response.status()).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("detail").asText())
                    .doesNotContain("`", "StreamReadConstraints", "getMax");
        }
    }

    @Test
    void aProblemEchoingAnUnpairedSurrogateStillEncodesAsUtf8() throws Exception {
        HttpResponse response = api.submit(post(ALICE, "{\"task\":\"t\",\"a\ud800\":1}"));

        assertThat(response.status()).isEqualTo(422);
        byte[] wire = response.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(new String(wire, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(response.body());
        assertThat(JSON.readTree(response.body()).at("/errors/0/pointer").asText()).isEqualTo("/a\ud800");
    }

    /** JSON escapes (and a Java string) can carry UTF-16 that no UTF-8 encoder, DynamoDB's included, accepts. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"task\":\"a\\ud800b\"} | /task",
            "{\"task\":\"a\\udfffb\"} | /task",
            "{\"task\":\"tail \\ud83d\"} | /task",
            "{\"task\":\"reversed \\ude00\\ud83d pair\"} | /task",
            "{\"task\":\"raw \ud800 in the string\"} | /task",
            "{\"task\":\"t\",\"idempotency_key\":\"k\\ud800\"} | /idempotency_key",
            "{\"task\":\"t\",\"x\":{\"y\":[\"ok\",\"\\udfff\"]}} | /x/y/1",
            "{\"task\":\"t\",\"a/b~\ud800\":1} | /a~1b~0\ud800",
            "{\"task\":\"t\",\"a/b~\\ud800\":1} | ",
            "{\"task\":\"t\",\"x\":[{\"c\":1,\"b\\udc00\":1}]} | /x/0",
    })
    void anUnpairedSurrogateInAnyStringOrMemberNameIs422WithItsPointer(String bodyAndPointer) throws Exception {
        String body = bodyAndPointer.substring(0, bodyAndPointer.lastIndexOf(" | "));
        String pointer = bodyAndPointer.substring(bodyAndPointer.lastIndexOf(" | ") + 3).strip();

        HttpResponse response = api.submit(post(ALICE, body));

        assertThat(response.status()).as(response.body()).isEqualTo(422);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("type").asText()).isEqualTo("urn:agent-tasks:problem:validation-failed");
        List<String> pointers = new ArrayList<>();
        problem.get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
        assertThat(pointers).contains(pointer).doesNotHaveDuplicates();
        JsonNode error = java.util.stream.StreamSupport.stream(problem.get("errors").spliterator(), false)
                .filter(e -> e.get("pointer").asText().equals(pointer)).findFirst().orElseThrow();
        assertThat(error.get("detail").asText()).contains("unpaired UTF-16 surrogate");
        assertThat(api.tasks.size()).isZero();
        assertThat(api.queue.sent()).isEmpty();
    }

    @Test
    void aSurrogatePairIsOneCharacterAndWelcome() {
        HttpResponse response = api.submit(post(ALICE, "{\"task\":\"smile \\ud83d\\ude00 and \ud83d\ude00\"}"));

        assertThat(response.status()).isEqualTo(202);
    }
}
