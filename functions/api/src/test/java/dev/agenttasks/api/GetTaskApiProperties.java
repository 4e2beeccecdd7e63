package dev.agenttasks.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.BeforeProperty;

import dev.agenttasks.domain.task.TaskIds;

/** Whatever id, path, headers and caller {@code GET /tasks/{id}} gets, only the owner sees the task. */
class GetTaskApiProperties {

    private static final List<String> CALLERS = List.of("alice", "bob", "");

    private final ApiHarness api = new ApiHarness();
    private String aliceTask;

    @BeforeProperty
    void storeATask() {
        HttpResponse created = api.submit(ApiHarness.post("alice", "{\"task\":\"t\"}"));
        aliceTask = created.headers().get("Location").substring("/tasks/".length());
    }

    @Property(tries = 500)
    void onlyTheOwnerSeesTheTaskAndEverythingElseIsAProblem(@ForAll("ids") Optional<String> idChoice,
                                                            @ForAll("callers") Optional<String> caller,
                                                            @ForAll("paths") String path,
                                                            @ForAll("headers") Map<String, String> headers) {
        Optional<String> id = idChoice.map(v -> v.equals("<alice>") ? aliceTask : v);
        Map<String, String> params = id.map(v -> Map.of("id", v)).orElse(Map.of());
        HttpRequest request = new HttpRequest("GET", path, headers, params, null, caller, "req");

        HttpResponse response = api.get(request);

        ResponseChecks.check(response, id.orElse("") + " " + path + " " + headers + " " + caller.orElse(""));
        if (caller.isEmpty()) {
            assertThat(response.status()).isEqualTo(401);
        } else if (caller.get().equals("alice") && id.equals(Optional.of(aliceTask))) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("\"task_id\":\"" + aliceTask + "\"");
        } else {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.body()).contains("urn:agent-tasks:problem:task-not-found")
                    .doesNotContain(aliceTask);
        }
    }

    @Property(tries = 100)
    void healthIsAlwaysOk(@ForAll("headers") Map<String, String> headers) {
        HttpResponse response = api.health();

        ResponseChecks.check(response, headers.toString());
        assertThat(response.status()).isEqualTo(200);
    }

    @Provide
    Arbitrary<Optional<String>> ids() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Optional.of("<alice>"))),
                Tuple.of(2, Arbitraries.create(TaskIds::newId).map(Optional::of)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(60).map(Optional::of)),
                Tuple.of(1, Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz234567ABC018=")
                        .ofMinLength(25).ofMaxLength(27).map(Optional::of)),
                Tuple.of(1, Arbitraries.of("", " ", "..", "../tasks", "%00", "null", "\ud800", "*", "{id}")
                        .map(Optional::of)),
                Tuple.of(1, Arbitraries.just(Optional.<String>empty())));
    }

    @Provide
    Arbitrary<Optional<String>> callers() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(CALLERS).map(Optional::of)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(20).map(Optional::of)),
                Tuple.of(1, Arbitraries.just(Optional.<String>empty())));
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.oneOf(
                Arbitraries.just("/tasks/x"),
                Arbitraries.strings().all().ofMaxLength(80),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(80).map(p -> "/tasks/" + p));
    }

    @Provide
    Arbitrary<Map<String, String>> headers() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of("Authorization", "Content-Type", "Accept", "Idempotency-Key", "X-Amzn-Trace-Id"),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12));
        return Arbitraries.maps(names, Arbitraries.strings().all().ofMaxLength(40)).ofMaxSize(4).map(HashMap::new);
    }
}
