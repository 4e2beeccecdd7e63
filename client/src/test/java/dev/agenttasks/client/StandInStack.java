package dev.agenttasks.client;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import dev.agenttasks.local.AgentTasksLocal;
import dev.agenttasks.localaws.SharedMotoServer;

/**
 * The whole local stack in-process whose worker calls a {@link ProviderStandIn}, with a routing configuration
 * of one tier answered at once ({@value #FAST}, unless a task says {@code [hold:<name>]}) and tiers whose models
 * the stand-in rate-limits ({@link #HELD_TIERS}), so a test can keep a task {@code running} or {@code pending}
 * as long as it needs, and see every provider call. Leases are 6 s, so a running task's worker hears of a
 * cancel within 2 s (a third of it). Public for the CLI's tests.
 */
public final class StandInStack implements AutoCloseable {

    public static final String FAST = "fast";
    public static final Set<String> HELD_TIERS = Set.of("held-a", "held-b", "held-c", "held-d");
    /** The rate limit's Retry-After: how long a held tier's model stays held after its first call. */
    public static final int HOLD_SECONDS = 6;
    private static final String FAST_MODEL = "stand-in-fast";

    public final ProviderStandIn provider;
    private final AgentTasksLocal stack;
    private final Path routing;

    /** A task held {@code pending} without a provider call, and the task whose rate-limited call holds it. */
    public record Held(String primerId, TaskView task) {
    }

    private StandInStack(ProviderStandIn provider, Path routing, AgentTasksLocal stack) {
        this.provider = provider;
        this.routing = routing;
        this.stack = stack;
    }

    public static StandInStack start(String localApiKeys) {
        ProviderStandIn provider = null;
        Path routing = null;
        try {
            provider = new ProviderStandIn(HELD_TIERS.stream().map(StandInStack::model).collect(Collectors.toSet()),
                    HOLD_SECONDS);
            routing = Files.createTempFile("stand-in-routing-", ".json");
            Files.writeString(routing, routingConfig());
            Map<String, String> env = environment(localApiKeys);
            env.put("LLM_PROVIDER", "openai");
            env.put("LLM_BASE_URL", provider.baseUrl());
            env.put("ROUTING_CONFIG_FILE", routing.toString());
            env.put("TASK_LEASE_SECONDS", "6");
            SharedMotoServer.get().reset();
            return new StandInStack(provider, routing, AgentTasksLocal.start(env));
        } catch (IOException e) {
            close(provider, routing);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close(provider, routing);
            throw e;
        }
    }

    /**
     * What every client test's local stack starts from: a free port, this JVM's moto, the given API keys, and no
     * batching window, so a lone task reaches the worker at once (the window is the local stack's own tests' concern).
     */
    public static Map<String, String> environment(String localApiKeys) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("AWS_ENDPOINT_URL", SharedMotoServer.get().endpoint().toString());
        env.put("LOCAL_API_KEYS", localApiKeys);
        env.put("LOCAL_PARAMETER_OVERRIDES", "WorkerBatchingWindowSeconds=0");
        env.put("PATH", System.getenv("PATH"));
        return env;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + stack.port());
    }

    /** The model a held tier calls (rate-limited by the stand-in). */
    public static String model(String heldTier) {
        return "model-" + heldTier;
    }

    /**
     * A task of {@code heldTier} that a worker took, found its model rate-limited and put back {@code pending}
     * (with {@code waiting}) without calling the provider. A first task (the primer) gets the {@code 429} that
     * starts the hold; it stays {@code running}, waiting out the {@code Retry-After} to call again. Use each held
     * tier in one test only, so its hold is that test's own.
     */
    public Held heldTask(AgentTasksClient client, String heldTier, String label) {
        String primer = client.submit(SubmitRequest.builder(label + " (primer)").tier(heldTier).build()).task().taskId();
        await().atMost(Duration.ofSeconds(30)).until(() -> !provider.callsFor(label + " (primer)").isEmpty());
        String held = client.submit(SubmitRequest.builder(label + " (held)").tier(heldTier).build()).task().taskId();
        AtomicReference<TaskView> seen = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            seen.set(client.get(held));
            return seen.get().status() == TaskStatus.PENDING && seen.get().waiting().isPresent();
        });
        return new Held(primer, seen.get());
    }

    @Override
    public void close() {
        stack.close();
        close(provider, routing);
    }

    private static void close(ProviderStandIn provider, Path routing) {
        if (provider != null) {
            provider.close();
        }
        if (routing != null) {
            try {
                Files.deleteIfExists(routing);
            } catch (IOException e) {
                // a temporary file; the OS cleans it up
            }
        }
    }

    private static String routingConfig() {
        StringBuilder models = new StringBuilder(modelEntry(FAST_MODEL));
        StringBuilder tiers = new StringBuilder(tierEntry(FAST, FAST_MODEL));
        for (String tier : HELD_TIERS) {
            models.append(",").append(modelEntry(model(tier)));
            tiers.append(",").append(tierEntry(tier, model(tier)));
        }
        return "{\"models\":{" + models + "},\"tiers\":{" + tiers + "},"
                + "\"routing\":{\"default_tier\":\"" + FAST + "\",\"simple\":{\"tier\":\"" + FAST + "\","
                + "\"keywords\":[\"what is\"],\"fewer_words_than\":20,\"max_estimated_tokens\":1000}}}";
    }

    private static String modelEntry(String id) {
        return "\"" + id + "\":{\"context_window_tokens\":131072,\"usd_per_million_input_tokens\":0.05,"
                + "\"usd_per_million_output_tokens\":0.08}";
    }

    private static String tierEntry(String name, String model) {
        return "\"" + name + "\":{\"model\":\"" + model + "\",\"max_output_tokens\":400,\"budget_tokens\":6000,"
                + "\"reserved_output_tokens\":800,\"max_total_tokens\":18000}";
    }
}
