package dev.agenttasks.api;

import static dev.agenttasks.api.ApiHarness.cancelRequest;
import static dev.agenttasks.api.ApiHarness.getTask;
import static dev.agenttasks.api.ApiHarness.listRequest;
import static dev.agenttasks.api.ApiHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.task.TaskOutcome;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.domain.task.TokenUsage;

/** Cancel, list, waiting and conditional polls on in-memory ports. */
class CallerApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = "alice";
    private static final String BOB = "bob";
    private final ApiHarness api = new ApiHarness();

    private String submitted(String caller, String task) {
        HttpResponse response = api.submit(post(caller, "{\"task\":\"" + task + "\"}"));
        assertThat(response.status()).isEqualTo(202);
        return response.headers().get("Location").substring("/tasks/".length());
    }

    private static JsonNode json(HttpResponse response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError(response.body(), e);
        }
    }

    private void complete(String id) {
        assertThat(api.tasks.claim(id, "worker", api.clock.instant(), Duration.ofMinutes(1))).isInstanceOf(Claim.Claimed.class);
        assertThat(api.tasks.complete(id, "worker", new TaskOutcome("m", "42", new TokenUsage(1, 2), BigDecimal.ONE, 5),
                api.clock.instant())).isTrue();
    }

    @Test
    void aPendingTaskIsCancelledAtOnceAndAgainIsTheSameAnswer() {
        String id = submitted(ALICE, "t");

        HttpResponse first = api.cancel(cancelRequest(ALICE, id));
        HttpResponse again = api.cancel(cancelRequest(ALICE, id));

        assertThat(first.status()).isEqualTo(200);
        assertThat(json(first).get("status").asText()).isEqualTo("cancelled");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(api.tasks.find(id).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void aRunningTaskIsAskedToStopWithA202() {
        String id = submitted(ALICE, "t");
        api.tasks.claim(id, "worker", api.clock.instant(), Duration.ofMinutes(1));

        HttpResponse response = api.cancel(cancelRequest(ALICE, id));

        assertThat(response.status()).isEqualTo(202);
        assertThat(json(response).get("status").asText()).isEqualTo("running");
        assertThat(json(response).get("cancel_requested_at").asText()).isEqualTo(api.clock.instant().toString());
    }

    @Test
    void aFinishedTaskCannotBeCancelledAndAnotherCallersTaskIsNotFound() {
        String id = submitted(ALICE, "t");
        complete(id);

        HttpResponse finished = api.cancel(cancelRequest(ALICE, id));
        HttpResponse someoneElses = api.cancel(cancelRequest(BOB, id));
        HttpResponse malformed = api.cancel(cancelRequest(ALICE, "not-an-id"));

        assertThat(finished.status()).isEqualTo(409);
        assertThat(json(finished).get("type").asText()).isEqualTo("urn:agent-tasks:problem:task-not-cancellable");
        assertThat(someoneElses.status()).isEqualTo(404);
        assertThat(malformed.status()).isEqualTo(404);
    }

    @Test
    void aCallerListsOnlyItsOwnTasksNewestFirstAcrossPages() {
        List<String> alices = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alices.add(0, submitted(ALICE, "a" + i));
            submitted(BOB, "b" + i);
            api.clock.advance(Duration.ofSeconds(1));
        }

        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse page = api.list(cursor == null ? listRequest(ALICE, "limit", "2") : listRequest(ALICE, "limit", "2", "cursor", cursor));
            assertThat(page.status()).isEqualTo(200);
            json(page).get("tasks").forEach(task -> listed.add(task.get("task_id").asText()));
            cursor = json(page).get("next_cursor").isNull() ? null : json(page).get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(listed).containsExactlyElementsOf(alices);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void aStatusFilterListsOnlyThatStatus() {
        String done = submitted(ALICE, "done");
        submitted(ALICE, "waiting");
        complete(done);

        HttpResponse page = api.list(listRequest(ALICE, "status", "complete"));

        assertThat(json(page).get("tasks")).extracting(task -> task.get("task_id").asText()).containsExactly(done);
    }

    @Test
    void aForgedBorrowedOrMismatchedCursorIsA400() {
        for (int i = 0; i < 3; i++) {
            submitted(ALICE, "t" + i);
        }
        String cursor = json(api.list(listRequest(ALICE, "limit", "1"))).get("next_cursor").asText();
        char last = cursor.charAt(cursor.length() - 1);
        String lastCharChanged = cursor.substring(0, cursor.length() - 1) + (last == 'A' ? 'B' : 'A');
        int signature = cursor.indexOf('.') + 1;
        char first = cursor.charAt(signature);
        String signatureChanged = cursor.substring(0, signature) + (first == 'A' ? 'Q' : 'A') + cursor.substring(signature + 1);

        for (HttpRequest request : List.of(listRequest(ALICE, "cursor", lastCharChanged),
                listRequest(ALICE, "cursor", signatureChanged), listRequest(BOB, "cursor", cursor),
                listRequest(ALICE, "cursor", cursor, "status", "pending"), listRequest(ALICE, "cursor", "garbage"),
                listRequest(ALICE, "limit", "0"), listRequest(ALICE, "limit", "101"), listRequest(ALICE, "limit", "ten"),
                listRequest(ALICE, "status", "done"), listRequest(ALICE, "sort", "asc"))) {
            HttpResponse response = api.list(request);
            assertThat(response.status()).as("%s", request.queryParameters()).isEqualTo(400);
            assertThat(json(response).get("type").asText()).isEqualTo("urn:agent-tasks:problem:invalid-query");
        }
        assertThat(api.list(listRequest(ALICE, "cursor", cursor)).status()).isEqualTo(200);
    }

    @Test
    void aConditionalPollOfAnUnchangedTaskIs304AndCarriesRetryAfter() {
        String id = submitted(ALICE, "t");
        HttpResponse first = api.get(getTask(ALICE, id));
        String etag = first.headers().get("ETag");

        HttpResponse unchanged = api.get(getTask(ALICE, id, "If-None-Match", etag));
        api.tasks.claim(id, "worker", api.clock.instant(), Duration.ofMinutes(1));
        HttpResponse changed = api.get(getTask(ALICE, id, "If-None-Match", etag));

        assertThat(etag).matches("\"[A-Za-z0-9_-]{22}\"");
        assertThat(first.headers()).containsEntry("Retry-After", "1");
        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(unchanged.headers()).containsEntry("ETag", etag).containsEntry("Retry-After", "1");
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.headers().get("ETag")).isNotEqualTo(etag);
        assertThat(changed.headers()).containsEntry("Retry-After", "2");
    }

    @Test
    void aFinishedTaskCarriesNoRetryAfter() {
        String id = submitted(ALICE, "t");
        complete(id);

        assertThat(api.get(getTask(ALICE, id)).headers()).containsKey("ETag").doesNotContainKey("Retry-After");
    }

    @Test
    void preferWaitOnAPostAnswersWithTheFinishedTaskWhenItFinishesInTime() {
        api.whileWaiting = () -> api.tasks.listOwned(ALICE, java.util.Optional.of(TaskStatus.PENDING), 10,
                java.util.Optional.empty()).tasks().forEach(task -> complete(task.id()));

        HttpResponse response = api.submit(post(ALICE, "{\"task\":\"fast\"}", "Prefer", "wait=5"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(json(response).get("status").asText()).isEqualTo("complete");
        assertThat(json(response).get("result").asText()).isEqualTo("42");
        assertThat(response.headers()).containsEntry("Preference-Applied", "wait=5").containsKey("Location");
        assertThat(api.waits).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void preferWaitGivesUpAtItsLimitAndAnswersAsUsual() {
        HttpResponse response = api.submit(post(ALICE, "{\"task\":\"slow\"}", "Prefer", "wait=3"));

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.headers()).containsEntry("Preference-Applied", "wait=3");
        assertThat(api.waits.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofSeconds(3));
        assertThat(api.waits.size()).as("backing off to one read a second").isLessThanOrEqualTo(7);
    }

    @Test
    void aLongWaitIsShortenedToTwentySecondsAndAMalformedOneIsA400() {
        String id = submitted(ALICE, "t");

        HttpResponse capped = api.get(getTask(ALICE, id, "Prefer", "respond-async, wait=600"));
        HttpResponse malformed = api.get(getTask(ALICE, id, "Prefer", "wait=soon"));

        assertThat(capped.status()).isEqualTo(200);
        assertThat(capped.headers()).containsEntry("Preference-Applied", "wait=20");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(json(malformed).get("type").asText()).isEqualTo("urn:agent-tasks:problem:invalid-preference");
    }

    @Test
    void aTaskWithACallbackUrlShowsItsWebhookAndACancelStartsIt() {
        HttpResponse submitted = api.submit(post(ALICE,
                "{\"task\":\"t\",\"callback_url\":\"http://127.0.0.1:9/hooks\"}"));
        String id = json(submitted).get("task_id").asText();

        JsonNode callback = json(api.get(getTask(ALICE, id))).get("callback");
        assertThat(callback.get("url").asText()).isEqualTo("http://127.0.0.1:9/hooks");
        assertThat(callback.get("status").asText()).isEqualTo("pending");
        assertThat(callback.get("attempts").asInt()).isZero();
        assertThat(callback.get("last_error").isNull()).isTrue();

        assertThat(api.cancel(cancelRequest(ALICE, id)).status()).isEqualTo(200);
        assertThat(api.webhooks.sent()).containsExactly(id);
        assertThat(api.tasks.find(id).orElseThrow().callback()).isNotNull();
        assertThat(TaskView.webhookBody(api.tasks.find(id).orElseThrow())).doesNotContain("callback")
                .contains("\"status\":\"cancelled\"");
    }

    @Test
    void eachCallerGetsItsOwnWebhookSecretAndNobodyElseGetsOne() {
        HttpRequest alice = new HttpRequest("GET", "/webhook-secret", Map.of(), Map.of(), null, Optional.of(ALICE), "r");
        HttpRequest bob = new HttpRequest("GET", "/webhook-secret", Map.of(), Map.of(), null, Optional.of(BOB), "r");
        HttpRequest nobody = new HttpRequest("GET", "/webhook-secret", Map.of(), Map.of(), null, Optional.empty(), "r");

        HttpResponse forAlice = api.webhookSecret(alice);

        assertThat(forAlice.status()).isEqualTo(200);
        assertThat(forAlice.headers()).containsEntry("Cache-Control", "no-store");
        assertThat(json(forAlice).get("secret").asText()).startsWith("whsec_").isEqualTo(api.signer.secretFor(ALICE));
        assertThat(json(api.webhookSecret(bob)).get("secret").asText()).isNotEqualTo(json(forAlice).get("secret").asText());
        assertThat(api.webhookSecret(nobody).status()).isEqualTo(401);
    }
}
