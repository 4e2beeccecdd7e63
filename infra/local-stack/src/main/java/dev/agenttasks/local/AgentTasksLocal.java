package dev.agenttasks.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.services.lambda.runtime.RequestHandler;

import dev.agenttasks.wiring.ServiceWiring;
import dev.agenttasks.config.Config;
import dev.agenttasks.localaws.LocalAws;
import dev.agenttasks.localaws.LocalProvisioner;
import dev.agenttasks.localaws.LocalResources;
import dev.agenttasks.localaws.MotoServer;
import dev.agenttasks.localaws.SamTemplate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The whole service on one machine: moto server (unless {@code AWS_ENDPOINT_URL} is set), the tables and
 * queues of template.yaml, the HTTP API on {@code 127.0.0.1:$PORT}, the worker fed by an SQS event source
 * emulator, and the reconciler on its schedule. {@code GET /health} answers once all of it is ready.
 */
public final class AgentTasksLocal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentTasksLocal.class);
    static final String HOST = "127.0.0.1";

    private final List<AutoCloseable> running = new ArrayList<>();
    private LocalHttpApi api;

    /** Starts everything; on failure stops what it started and rethrows. */
    public static AgentTasksLocal start(Map<String, String> environment) {
        AgentTasksLocal stack = new AgentTasksLocal();
        try {
            stack.startAll(environment);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    public int port() {
        return api.port();
    }

    private void startAll(Map<String, String> environment) {
        Config given = Config.of(environment);
        int port = given.port();
        Optional<Map<String, String>> apiKeys = given.localApiKeys();
        SamTemplate template = loadTemplate().withParameters(given.localParameterOverrides());
        if (!given.localParameterOverrides().isEmpty()) {
            LOG.info("template parameters overridden by LOCAL_PARAMETER_OVERRIDES: {}", given.localParameterOverrides());
        }

        URI endpoint = given.awsEndpointUrl().orElseGet(() -> {
            MotoServer moto = MotoServer.start();
            running.add(0, moto);
            LOG.info("moto server started on {} (pid {}, log {})", moto.endpoint(), moto.pid(), moto.log());
            return moto.endpoint();
        });
        LocalResources resources;
        try (DynamoDbClient dynamoDb = LocalAws.dynamoDb(endpoint); SqsClient sqs = LocalAws.sqs(endpoint)) {
            resources = new LocalProvisioner(dynamoDb, sqs, "").provision(template);
        }

        Map<String, String> env = new HashMap<>(environment);
        env.putAll(resources.environment());
        env.put("AWS_ENDPOINT_URL", endpoint.toString());
        env.putIfAbsent("AWS_REGION", LocalAws.REGION);
        env.putIfAbsent("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
        env.putIfAbsent("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
        Config config = Config.of(env);
        ServiceWiring wiring = new ServiceWiring(config, Clock.systemUTC());

        Map<String, LocalFunction<?, ?>> functions = new LinkedHashMap<>();
        for (String id : template.resources("AWS::Serverless::Function").keySet()) {
            functions.put(id, new LocalFunction<>(id, instantiate(template.functionHandler(id), wiring),
                    template.functionTimeoutSeconds(id), template.functionMemoryMb(id)));
        }

        for (String id : functions.keySet()) {
            Optional<SamTemplate.SqsEventSource> mapping = template.sqsEventSource(id);
            if (mapping.isPresent()) {
                LocalSqsEventSource source = new LocalSqsEventSource(LocalAws.sqs(endpoint),
                        resources.queue(mapping.get().queueId()), mapping.get(), cast(functions.get(id)),
                        env.get("AWS_REGION"));
                source.start();
                running.add(source);
            }
        }
        LocalSchedules schedules = new LocalSchedules();
        Optional<Long> interval = given.localScheduleInterval().map(Duration::toSeconds);
        for (String id : functions.keySet()) {
            template.scheduleRateSeconds(id).ifPresent(seconds ->
                    schedules.every(interval.orElse(seconds), functions.get(id)));
        }
        running.add(schedules);

        try {
            api = new LocalHttpApi(HOST, port, apiKeys);
        } catch (BindException e) {
            throw new IllegalStateException("port " + port + " on " + HOST + " is in use; set PORT to another port", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (SamTemplate.HttpRoute route : template.httpRoutes()) {
            api.bind(route, cast(functions.get(route.functionId())));
        }
        api.start();
        running.add(api);
        LOG.info("Agent Tasks local stack ready on http://{}:{} (LLM provider: {}, auth: {})", HOST, api.port(),
                config.llmProvider().value(),
                apiKeys.map(keys -> keys.size() + " bearer token(s) from LOCAL_API_KEYS")
                        .orElse("none; every request belongs to caller 'local'"));
    }

    /** Stops in reverse order: the API first, then the pollers (draining in-flight work), then moto. */
    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed", running.get(i), e);
            }
        }
        running.clear();
    }

    /** template.yaml from the working directory or a parent, else the copy packaged in this jar. */
    static SamTemplate loadTemplate() {
        Optional<Path> onDisk = SamTemplate.locate(Path.of(""));
        if (onDisk.isPresent()) {
            LOG.info("using {}", onDisk.get());
            return SamTemplate.load(onDisk.get());
        }
        try (InputStream packaged = AgentTasksLocal.class.getResourceAsStream("/template.yaml")) {
            if (packaged == null) {
                throw new IllegalStateException("template.yaml not found in the working directory, its parents or the jar");
            }
            LOG.info("using the template.yaml packaged in the jar");
            return SamTemplate.parse(new InputStreamReader(packaged, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RequestHandler<?, ?> instantiate(String handler, ServiceWiring wiring) {
        String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
        try {
            return (RequestHandler<?, ?>) Class.forName(className).getConstructor(ServiceWiring.class).newInstance(wiring);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("cannot create handler " + handler + ": " + cause, cause);
        }
    }

    @SuppressWarnings("unchecked")
    private static <I, O> LocalFunction<I, O> cast(LocalFunction<?, ?> function) {
        return (LocalFunction<I, O>) function;
    }

    public static void main(String[] args) throws InterruptedException {
        AgentTasksLocal stack;
        try {
            stack = start(System.getenv());
        } catch (RuntimeException e) {
            System.err.println("agent-tasks local stack failed to start: " + e.getMessage());
            LOG.debug("start failure", e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping: draining in-flight work");
            stack.close();
            stopped.countDown();
        }, "local-stack-stop"));
        stopped.await();
    }
}
