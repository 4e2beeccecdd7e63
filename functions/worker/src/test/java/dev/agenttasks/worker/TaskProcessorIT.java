package dev.agenttasks.worker;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import dev.agenttasks.aws.DynamoDbTaskRepository;
import dev.agenttasks.config.Config;
import dev.agenttasks.domain.port.Claim;
import dev.agenttasks.domain.process.InvocationClock;
import dev.agenttasks.domain.process.ProcessResult;
import dev.agenttasks.domain.process.TaskProcessor;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.domain.task.TaskIds;
import dev.agenttasks.domain.task.TaskStatus;
import dev.agenttasks.providers.OpenAiCompatibleClient;
import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.wiring.ServiceWiring;

/**
 * The worker's processing end to end on real parts: moto for the task table, WireMock serving Groq's recorded
 * responses through the real {@link OpenAiCompatibleClient}, real time. The logic's cases are in the domain's
 * {@code TaskProcessorTest}; these show the parts fit.
 */
class TaskProcessorIT {

    private static final String PATH = "/openai/v1/chat/completions";
    private static WireMockServer wireMock;

    private DynamoDbTaskRepository tasks;
    private OpenAiCompatibleClient provider;
    private TaskProcessor processor;

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
        provider = OpenAiCompatibleClient.of(URI.create(wireMock.baseUrl() + "/openai/v1"), "gsk_test_key_for_wiremock");
    }

    @AfterEach
    void tearDown() {
        if (processor != null) {
            processor.close();
        }
    }

    private TaskProcessor processor(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(MotoEnvironment.fresh());
        env.putAll(Map.of("RETRY_BASE_DELAY_MS", "10", "RETRY_MAX_DELAY_MS", "50"));
        env.putAll(settings);
        ServiceWiring wiring = new ServiceWiring(Config.of(env), Clock.systemUTC());
        tasks = new DynamoDbTaskRepository(wiring.aws().dynamoDb(), wiring.config().tasksTable());
        processor = wiring.taskProcessor(provider, wiring.sharedCircuitBreaker(dev.agenttasks.domain.breaker.BreakerListener.NONE));
        return processor;
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

    @Test
    void twoTransientErrorsThenSuccessCompleteAfterExactlyThreeCalls() {
        providerAnswers(error(503, "groq-503-service-unavailable.json"),
                error(503, "groq-503-service-unavailable.json"), ok());
        TaskProcessor processor = processor(Map.of());
        Task task = stored();

        ProcessResult result = processor.process(task.id(), InvocationClock.unlimited());

        assertThat(result).isEqualTo(new ProcessResult.Done(ProcessResult.Outcome.COMPLETED));
        assertThat(providerCalls()).isEqualTo(3);
        Task done = current(task);
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(done.attempts()).isEqualTo(3);
        assertThat(done.result()).startsWith("Fast language models matter");
        assertThat(done.leaseOwner()).isNull();
    }

    @Test
    void aProvidersErrorTextNeverReachesTheTask() {
        providerAnswers(error(413, "groq-413-request-too-large.json"));
        TaskProcessor processor = processor(Map.of());
        Task task = stored();

        processor.process(task.id(), InvocationClock.unlimited());

        Task failed = current(task);
        assertThat(failed.error().code()).isEqualTo("provider_http_413");
        assertThat(failed.error().message()).isEqualTo("the model provider rejected the request (HTTP 413)");
        assertThat(resource("groq-413-request-too-large.json")).contains("organization");
    }

    @Test
    void aLiveWorkerKeepsItsLeaseThroughACallLongerThanTheLease() throws Exception {
        providerAnswers(ok().withFixedDelay(8_000));
        TaskProcessor processor = processor(Map.of("TASK_LEASE_SECONDS", "5", "LLM_TIMEOUT_MS", "20000"));
        Task task = stored();
        Instant started = Instant.now();
        CompletableFuture<ProcessResult> processing = CompletableFuture.supplyAsync(() ->
                processor.process(task.id(), InvocationClock.unlimited()));

        // Past the first lease's end, a second worker finds the lease renewed and cannot take over.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> Instant.now().isAfter(started.plusSeconds(6)));
        Claim second = tasks.claim(task.id(), "second-worker", Instant.now(), Duration.ofSeconds(5));
        ProcessResult result = processing.get(30, TimeUnit.SECONDS);

        assertThat(second).isInstanceOf(Claim.Refused.class);
        assertThat(result).isEqualTo(new ProcessResult.Done(ProcessResult.Outcome.COMPLETED));
        assertThat(current(task).status()).isEqualTo(TaskStatus.COMPLETE);
        assertThat(providerCalls()).isEqualTo(1);
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
