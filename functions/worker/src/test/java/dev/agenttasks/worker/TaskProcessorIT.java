package dev.agenttasks.worker;

import dev.agenttasks.domain.process.InvocationClock;
import dev.agenttasks.domain.process.ProcessResult;
import dev.agenttasks.domain.process.TaskProcessor;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.config.Config;
import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.providers.OpenAiCompatibleClient;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskStatus;

/**
 * The worker's task processing against real servers: moto for the task table, WireMock serving Groq's
 * shapes for the provider (through the real {@link OpenAiCompatibleClient}).
 */
class TaskProcessorIT {

    private static final String PATH = "/openai/v1/chat/completions";
    private static final Duration LEASE = Duration.ofSeconds(60);
    /** Remaining time too short for a wait, a whole 30 s call and the margin: retries go back to the queue. */
    private static final InvocationClock SHORT_INVOCATION = () -> Duration.ofSeconds(10);

    private static WireMockServer wireMock;

    private DynamoDbTaskRepository tasks;
    private OpenAiCompatibleClient provider;
    private ServiceWiring wiring;

    @BeforeAll
    static void startProvider() {
        wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
    }

    @AfterAll
    static void stopProvider() {
        wireMock.stop();
    }

    @BeforeEach
    void setUp() {
        wireMock.resetAll();
        wiring = wiring(Map.of());
        provider = OpenAiCompatibleClient.of(URI.create(wireMock.baseUrl() + "/openai/v1"), "gsk_test_key_for_wiremock");
    }

    private ServiceWiring wiring(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "RETRY_BASE_DELAY_MS", "10",
                "RETRY_MAX_DELAY_MS", "50",
                "RETRY_MAX_ATTEMPTS", "5",
                "TASK_LEASE_SECONDS", Long.toString(LEASE.toSeconds()),
                "LLM_TIMEOUT_MS", "30000"));
        env.putAll(extra);
        Map<String, String> all = new HashMap<>(MotoEnvironment.fresh());
        all.putAll(env);
        ServiceWiring built = new ServiceWiring(Config.of(all), Clock.systemUTC());
        tasks = new DynamoDbTaskRepository(built.aws().dynamoDb(), built.config().tasksTable());
        return built;
    }

    private Task stored() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Task task = Task.pending(TaskIds.newId(), "iam:alice", "What is 2 + 2?", null, now, now.plus(Duration.ofDays(7)));
        assertThat(tasks.createIfAbsent(task)).isEmpty();
        return task;
    }

    private Task current(Task task) {
        return tasks.find(task.id()).orElseThrow();
    }

    /** The provider answers these responses in order, then the last one for ever. */
    private static void providerAnswers(ResponseDefinitionBuilder... responses) {
        String state = STARTED;
        for (int i = 0; i < responses.length; i++) {
            String next = i == responses.length - 1 ? state : "call-" + (i + 2);
            wireMock.stubFor(post(urlEqualTo(PATH)).inScenario("provider").whenScenarioStateIs(state)
                    .willReturn(responses[i]).willSetStateTo(next));
            state = next;
        }
    }

    private static ResponseDefinitionBuilder ok() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(resource("groq-chat-completion.json"));
    }

    private static ResponseDefinitionBuilder error(int status, String file) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(resource(file));
    }

    private static int providerCalls() {
        return wireMock.countRequestsMatching(postRequestedFor(urlEqualTo(PATH)).build()).getCount();
    }

    /** One delivery of the task's message, as soon as the task is due (a redelivery may come early). */
    private static ProcessResult deliver(TaskProcessor processor, Task task, InvocationClock invocation) {
        AtomicReference<ProcessResult> result = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            result.set(processor.process(task.id(), invocation));
            return !TaskProcessor.REASON_NOT_DUE.equals(result.get().reason());
        });
        return result.get();
    }

    @Test
    void twoTransientErrorsThenSuccessCompleteAfterExactlyThreeCalls() {
        providerAnswers(error(503, "groq-503-service-unavailable.json"),
                error(503, "groq-503-service-unavailable.json"), ok());
        Task task = stored();

        ProcessResult result = wiring.taskProcessor(provider).process(task.id(), InvocationClock.unlimited());

        assertThat(result.redeliver()).isFalse();
        assertThat(providerCalls()).isEqualTo(3);
        Task done = current(task);
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(done.attempts()).isEqualTo(3);
        assertThat(done.result()).startsWith("Fast language models matter");
        assertThat(done.leaseOwner()).isNull();
    }

    @Test
    void retryAfterIsHonouredBeforeTheNextCall() {
        providerAnswers(error(429, "groq-429-rate-limit.json").withHeader("retry-after", "3"), ok());
        Task task = stored();

        wiring.taskProcessor(provider).process(task.id(), InvocationClock.unlimited());

        List<LoggedRequest> requests = wireMock.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(requests).hasSize(2);
        long gapMs = requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
        assertThat(gapMs).isGreaterThanOrEqualTo(3_000);
        assertThat(current(task).status()).isEqualTo(TaskStatus.COMPLETE);
    }

    @Test
    void noRetryWaitsPastTheTasksDeadline() {
        providerAnswers(error(503, "groq-503-service-unavailable.json").withHeader("retry-after", "5"), ok());
        ServiceWiring tenSecondTasks = wiring(Map.of("TASK_MAX_AGE_SECONDS", "10"));
        Instant created = Instant.now().minusSeconds(7).truncatedTo(ChronoUnit.MILLIS);
        Task task = Task.pending(TaskIds.newId(), "iam:alice", "What is 2 + 2?", null, created, created.plus(Duration.ofDays(7)));
        tasks.createIfAbsent(task);

        ProcessResult result = tenSecondTasks.taskProcessor(provider).process(task.id(), InvocationClock.unlimited());

        assertThat(result.redeliver()).isFalse();
        assertThat(providerCalls()).isEqualTo(1);
        Task failed = current(task);
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.error().code()).isEqualTo("deadline_exceeded");
        assertThat(failed.error().message()).contains("last error");
    }

    @Test
    void aPermanentErrorFailsTheTaskAfterOneCall() {
        providerAnswers(error(400, "groq-400-model-decommissioned.json"));
        Task task = stored();

        ProcessResult result = wiring.taskProcessor(provider).process(task.id(), InvocationClock.unlimited());

        assertThat(result.redeliver()).isFalse();
        assertThat(providerCalls()).isEqualTo(1);
        Task failed = current(task);
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.error().code()).isEqualTo("provider_http_400");
        assertThat(failed.error().message()).contains("HTTP 400");
        assertThat(failed.attempts()).isEqualTo(1);
    }

    @Test
    void withTooLittleTimeLeftTheTaskIsReleasedAndItsMessageComesBackNoSoonerThanRetryAfter() {
        providerAnswers(error(429, "groq-429-rate-limit.json").withHeader("retry-after", "3"), ok());
        Task task = stored();
        TaskProcessor processor = wiring.taskProcessor(provider);

        ProcessResult result = processor.process(task.id(), SHORT_INVOCATION);

        assertThat(result.redeliver()).isTrue();
        assertThat(result.retryDelay()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(providerCalls()).isEqualTo(1);
        Task released = current(task);
        assertThat(released.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(released.leaseOwner()).isNull();

        // A copy of the message arriving early (a duplicate, or an imprecise visibility timeout) calls nobody.
        ProcessResult early = processor.process(task.id(), SHORT_INVOCATION);
        assertThat(early.redeliver()).isTrue();
        assertThat(early.reason()).isEqualTo(TaskProcessor.REASON_NOT_DUE);
        assertThat(early.retryDelay()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(providerCalls()).isEqualTo(1);
        assertThat(current(task).status()).isEqualTo(TaskStatus.PENDING);
    }

    @Test
    void attemptsAreCountedAcrossDeliveriesUntilTheyRunOut() {
        wiring = wiring(Map.of("RETRY_MAX_ATTEMPTS", "3"));
        providerAnswers(error(503, "groq-503-service-unavailable.json"));
        Task task = stored();
        TaskProcessor processor = wiring.taskProcessor(provider);

        ProcessResult first = deliver(processor, task, SHORT_INVOCATION);
        ProcessResult second = deliver(processor, task, SHORT_INVOCATION);
        ProcessResult third = deliver(processor, task, SHORT_INVOCATION);

        assertThat(first.redeliver()).isTrue();
        assertThat(second.redeliver()).isTrue();
        assertThat(third.redeliver()).isFalse();
        assertThat(providerCalls()).isEqualTo(3);
        Task failed = current(task);
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.error().code()).isEqualTo("attempts_exhausted");
        assertThat(failed.error().message()).contains("3 attempts").contains("HTTP 503");
        assertThat(failed.attempts()).isEqualTo(3);

        assertThat(processor.process(task.id(), SHORT_INVOCATION).redeliver()).isFalse();
        assertThat(providerCalls()).isEqualTo(3);
    }

    @Test
    void claimsByWorkersThatDiedCountAsAttempts() {
        wiring = wiring(Map.of("RETRY_MAX_ATTEMPTS", "2"));
        providerAnswers(ok());
        Task task = stored();
        Instant longAgo = Instant.now().minus(Duration.ofMinutes(10));
        // Two workers claimed the task and died: their leases expired.
        assertThat(tasks.claim(task.id(), "died-1", longAgo, LEASE).claimed()).isTrue();
        assertThat(tasks.claim(task.id(), "died-2", longAgo.plus(LEASE).plusSeconds(1), LEASE).claimed()).isTrue();

        ProcessResult result = wiring.taskProcessor(provider).process(task.id(), InvocationClock.unlimited());

        assertThat(result.redeliver()).isFalse();
        assertThat(providerCalls()).isZero();
        Task failed = current(task);
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.error().code()).isEqualTo("attempts_exhausted");
    }

    @Test
    void aZombieWhoseLeaseExpiredCannotComplete() {
        providerAnswers(ok());
        Task task = stored();
        // While the first worker waits on the provider, its lease expires and a second worker takes over.
        LlmClient slowProvider = new LlmClient() {
            @Override
            public LlmResponse complete(LlmRequest request) {
                Instant afterLease = Instant.now().plus(LEASE).plusSeconds(1);
                assertThat(tasks.claim(task.id(), "second-worker", afterLease, LEASE).claimed()).isTrue();
                return provider.complete(request);
            }

            @Override
            public String provider() {
                return provider.provider();
            }
        };

        ProcessResult result = wiring.taskProcessor(slowProvider).process(task.id(), InvocationClock.unlimited());

        assertThat(result.redeliver()).isFalse();
        assertThat(result.reason()).isEqualTo("lease lost");
        Task current = current(task);
        assertThat(current.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(current.leaseOwner()).isEqualTo("second-worker");
        assertThat(current.result()).isNull();
    }

    @Test
    void aLiveWorkerKeepsItsLeaseThroughACallLongerThanTheLease() throws Exception {
        providerAnswers(ok().withFixedDelay(8_000));
        ServiceWiring shortLease = wiring(Map.of("TASK_LEASE_SECONDS", "5"));
        Task task = stored();
        var processing = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                shortLease.taskProcessor(provider).process(task.id(), InvocationClock.unlimited()));

        // Past the first lease's end, a second worker finds the lease renewed and cannot take over.
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7)).until(() -> true);
        boolean takenOver = tasks.claim(task.id(), "second-worker", Instant.now(), Duration.ofSeconds(5)).claimed();
        ProcessResult result = processing.get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(takenOver).isFalse();
        assertThat(result.reason()).isEqualTo("complete");
        assertThat(current(task).status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(providerCalls()).isEqualTo(1);
    }

    @Test
    void aDuplicateDeliveryOfACompleteTaskCallsNobody() {
        providerAnswers(ok());
        Task task = stored();
        TaskProcessor processor = wiring.taskProcessor(provider);
        processor.process(task.id(), InvocationClock.unlimited());
        Task done = current(task);

        ProcessResult duplicate = processor.process(task.id(), InvocationClock.unlimited());

        assertThat(duplicate.redeliver()).isFalse();
        assertThat(providerCalls()).isEqualTo(1);
        assertThat(current(task)).isEqualTo(done);
    }

    @Test
    void aDuplicateDeliveryOfALiveLeasedTaskIsAcknowledgedWithoutACall() {
        providerAnswers(ok());
        Task task = stored();
        assertThat(tasks.claim(task.id(), "busy-worker", Instant.now(), LEASE).claimed()).isTrue();

        ProcessResult duplicate = wiring.taskProcessor(provider).process(task.id(), InvocationClock.unlimited());

        assertThat(duplicate.redeliver()).isFalse();
        assertThat(providerCalls()).isZero();
        assertThat(current(task).leaseOwner()).isEqualTo("busy-worker");
    }

    @Test
    void aMessageForAnUnknownTaskIsAcknowledgedAsPoison() {
        ProcessResult result = wiring.taskProcessor(provider).process(TaskIds.newId(), InvocationClock.unlimited());

        assertThat(result.redeliver()).isFalse();
        assertThat(result.reason()).isEqualTo(TaskProcessor.REASON_UNKNOWN_TASK);
        assertThat(providerCalls()).isZero();
    }

    private static String resource(String name) {
        try (InputStream in = TaskProcessorIT.class.getResourceAsStream("/llm/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /llm/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
