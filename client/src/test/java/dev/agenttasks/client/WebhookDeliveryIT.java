package dev.agenttasks.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.agenttasks.local.AgentTasksLocal;
import dev.agenttasks.localaws.SharedMotoServer;

/**
 * Webhooks end to end through the whole local stack in-process (the worker with the simulated provider, the
 * callback function on its queue): a receiver on loopback verifies each delivery with the secret
 * {@link AgentTasksClient#webhookSecret()} fetched.
 */
class WebhookDeliveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static AgentTasksLocal stack;
    private static URI base;
    private static AgentTasksClient henry;

    @BeforeAll
    static void start() {
        Map<String, String> env = StandInStack.environment("henry-token=henry,ivy-token=ivy");
        env.put("SIMULATED_LATENCY_MS", "20");
        SharedMotoServer.get().reset();
        stack = AgentTasksLocal.start(env);
        base = URI.create("http://127.0.0.1:" + stack.port());
        henry = client("henry-token");
    }

    @AfterAll
    static void stop() {
        if (henry != null) {
            henry.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static AgentTasksClient client(String token) {
        return AgentTasksClient.builder().baseUrl(base).auth(Auth.bearer(token)).build();
    }

    @Test
    void theWebhookSecretIsTheCallersOwnAndStable() {
        String secret = henry.webhookSecret();
        String ivys;
        try (AgentTasksClient ivy = client("ivy-token")) {
            ivys = ivy.webhookSecret();
        }
        ProblemException unauthenticated;
        try (AgentTasksClient stranger = client("stolen")) {
            unauthenticated = catchThrowableOfType(ProblemException.class, stranger::webhookSecret);
        }

        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(32);
        assertThat(henry.webhookSecret()).isEqualTo(secret);
        assertThat(ivys).startsWith("whsec_").isNotEqualTo(secret);
        assertThat(unauthenticated.status()).isEqualTo(401);
    }

    @Test
    void aReceiverThatFailsOnceGetsTheSignedFinalViewAgainAndTheTaskShowsItDelivered() throws Exception {
        WebhookVerifier verifier = WebhookVerifier.of(henry.webhookSecret());
        try (WebhookReceiver receiver = new WebhookReceiver(verifier, 500, 204)) {
            String id = henry.submit(SubmitRequest.builder("What is a webhook?").callbackUrl(receiver.url()).build())
                    .task().taskId();

            // The retry comes CallbackDelivery.FIRST_DELAY (10 s) after the failed attempt.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> henry.get(id).callback().map(c -> c.status().equals("delivered")).orElse(false));
            TaskView task = henry.get(id);
            List<WebhookReceiver.Delivery> deliveries = receiver.deliveries();

            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETE);
            assertThat(task.callback()).hasValue(new TaskView.Callback(receiver.url().toString(), "delivered", 2,
                    Optional.of("http_500")));
            assertThat(deliveries).hasSize(2);
            assertThat(deliveries).extracting(WebhookReceiver.Delivery::answered).containsExactly(500, 204);
            assertThat(deliveries).allSatisfy(delivery -> {
                assertThat(delivery.rejection()).isEmpty();
                assertThat(delivery.webhookId()).isEqualTo("msg_" + id);
                assertThat(delivery.verified()).hasValueSatisfying(message -> {
                    assertThat(message.id()).isEqualTo("msg_" + id);
                    assertThat(message.task().taskId()).isEqualTo(id);
                });
            });
            assertThat(deliveries.get(1).body()).isEqualTo(deliveries.get(0).body());
            ObjectNode finalView = (ObjectNode) JSON.readTree(task.json());
            finalView.remove("callback");
            assertThat(JSON.readTree(deliveries.get(0).body())).isEqualTo(finalView);
            assertThat(Duration.between(deliveries.get(0).at(), deliveries.get(1).at()))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(9));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                    .until(() -> receiver.deliveries().size() == 2);
        }
    }
}
