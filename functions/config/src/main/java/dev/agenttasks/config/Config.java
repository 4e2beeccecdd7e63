package dev.agenttasks.config;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The service's configuration: every {@link Variable}, parsed and checked once, at start. A malformed or
 * out-of-range value, or settings that contradict each other, fail {@link #of} with one message naming
 * each variable at fault. Resources a function may lack ({@code TASK_QUEUE_URL} in the status function)
 * are checked when asked for.
 */
public final class Config {

    public static final int DEFAULT_BREAKER_FAILURE_THRESHOLD = 5;
    public static final Duration DEFAULT_BREAKER_WINDOW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_BREAKER_RECOVERY = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofMillis(1_000);
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofMillis(60_000);
    public static final Duration DEFAULT_TASK_LEASE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_LLM_TIMEOUT = Duration.ofMillis(30_000);
    public static final Duration DEFAULT_TASK_MAX_AGE = Duration.ofSeconds(3_600);
    public static final Duration DEFAULT_IDEMPOTENCY_TTL = Duration.ofDays(1);
    public static final Duration DEFAULT_TASK_RETENTION = Duration.ofDays(7);
    /** A task's record outlives its deadline by at least this, so its outcome stays readable. */
    public static final Duration RETENTION_PAST_DEADLINE = Duration.ofDays(1);
    public static final URI DEFAULT_LLM_BASE_URL = URI.create("https://api.groq.com/openai/v1");
    public static final int DEFAULT_MAX_BODY_BYTES = 256 * 1024;
    public static final int DEFAULT_MAX_TASK_CHARS = 32_000;
    /** A task item must stay under DynamoDB's 400 KB: 100,000 characters is at most 300 KB of UTF-8. */
    public static final int MAX_TASK_CHARS_LIMIT = 100_000;
    public static final int DEFAULT_RECONCILE_MAX_TASKS_PER_RUN = 500;
    public static final Duration DEFAULT_SIMULATED_LATENCY = Duration.ofMillis(50);
    public static final String DEFAULT_SIMULATED_PERMANENT_FAILURE_MARKER = "[fail-permanently]";
    public static final int DEFAULT_PORT = 3000;
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_SERVICE_NAME = "agent-tasks";
    /** Set by the Lambda runtime in every function. */
    static final String LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME";

    /** The LLM provider kinds. */
    public enum LlmProvider {
        OPENAI, BEDROCK, SIMULATED;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The provider named {@code value} ({@code openai}, {@code bedrock}, {@code simulated}; any case). */
        public static Optional<LlmProvider> of(String value) {
            for (LlmProvider provider : values()) {
                if (provider.value().equalsIgnoreCase(value == null ? "" : value.strip())) {
                    return Optional.of(provider);
                }
            }
            return Optional.empty();
        }
    }

    /** Static AWS credentials from the environment (the SDK's default chain is used without them). */
    public record Credentials(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {
        @Override
        public String toString() {
            return "Credentials[" + accessKeyId + ", secret hidden]";
        }
    }

    public record Retry(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    }

    public record Breaker(int failureThreshold, Duration window, Duration recovery) {
    }

    public record Simulated(Duration latency, double failureRate, String permanentFailureMarker) {
    }

    private static final byte[] PROCESS_CURSOR_KEY = new java.security.SecureRandom().generateSeed(32);
    private static final String PROCESS_WEBHOOK_KEY = java.util.HexFormat.of()
            .formatHex(new java.security.SecureRandom().generateSeed(32));
    public static final int DEFAULT_WEBHOOK_MAX_ATTEMPTS = 8;
    public static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(10);

    private final Map<Variable, String> given;
    private final Optional<URI> awsEndpointUrl;
    private final String awsRegion;
    private final Optional<Credentials> credentials;
    private final boolean inLambda;
    private final Optional<LlmProvider> llmProvider;
    private final URI llmBaseUrl;
    private final Optional<URI> bedrockEndpointUrl;
    private final Optional<Path> routingConfigFile;
    private final Optional<String> routingConfigParameter;
    private final Optional<String> routingConfig;
    private final Duration llmTimeout;
    private final Retry retry;
    private final Breaker breaker;
    private final Duration taskLease;
    private final Duration taskMaxAge;
    private final Duration idempotencyTtl;
    private final Duration taskRetention;
    private final int maxBodyBytes;
    private final int maxTaskChars;
    private final int reconcileMaxTasksPerRun;
    private final Optional<String> cursorSigningKey;
    private final Optional<String> webhookSigningKey;
    private final int webhookMaxAttempts;
    private final Duration webhookTimeout;
    private final Simulated simulated;
    private final int port;
    private final Optional<Map<String, String>> localApiKeys;
    private final Optional<Duration> localScheduleInterval;
    private final Map<String, String> localParameterOverrides;
    private final String serviceName;

    private Config(Map<String, String> env) {
        Parser parse = new Parser(env);
        this.given = parse.given;
        this.awsEndpointUrl = parse.url(Variable.AWS_ENDPOINT_URL);
        this.awsRegion = parse.text(Variable.AWS_REGION)
                .or(() -> Optional.ofNullable(blankToNull(env.get("AWS_DEFAULT_REGION")))).orElse(DEFAULT_REGION);
        Optional<String> accessKey = Optional.ofNullable(blankToNull(env.get("AWS_ACCESS_KEY_ID")));
        Optional<String> secretKey = Optional.ofNullable(blankToNull(env.get("AWS_SECRET_ACCESS_KEY")));
        this.credentials = accessKey.isPresent() && secretKey.isPresent()
                ? Optional.of(new Credentials(accessKey.get(), secretKey.get(),
                Optional.ofNullable(blankToNull(env.get("AWS_SESSION_TOKEN")))))
                : Optional.empty();
        this.inLambda = blankToNull(env.get(LAMBDA_FUNCTION_NAME)) != null;
        this.llmProvider = parse.choice(Variable.LLM_PROVIDER, LlmProvider.class);
        this.llmBaseUrl = parse.url(Variable.LLM_BASE_URL).orElse(DEFAULT_LLM_BASE_URL);
        if (!List.of("http", "https").contains(llmBaseUrl.getScheme().toLowerCase(Locale.ROOT))) {
            parse.problem(Variable.LLM_BASE_URL, "must be an http(s) URL, got '" + llmBaseUrl + "'");
        }
        this.bedrockEndpointUrl = parse.url(Variable.BEDROCK_ENDPOINT_URL);
        this.routingConfigFile = parse.path(Variable.ROUTING_CONFIG_FILE);
        this.routingConfigParameter = parse.text(Variable.ROUTING_CONFIG_PARAMETER);
        this.routingConfig = parse.text(Variable.ROUTING_CONFIG);
        List<String> routingSources = new ArrayList<>();
        routingConfigFile.ifPresent(set -> routingSources.add("ROUTING_CONFIG_FILE"));
        routingConfig.ifPresent(set -> routingSources.add("ROUTING_CONFIG"));
        routingConfigParameter.ifPresent(set -> routingSources.add("ROUTING_CONFIG_PARAMETER"));
        if (routingSources.size() > 1) {
            parse.problem(Variable.valueOf(routingSources.get(0)), "and " + String.join(" and ", routingSources.subList(1,
                    routingSources.size())) + (routingSources.size() == 2 ? " are both set" : " are all set")
                    + "; set at most one (a file for local runs, ROUTING_CONFIG in AWS)");
        }
        this.llmTimeout = parse.millis(Variable.LLM_TIMEOUT_MS, DEFAULT_LLM_TIMEOUT, 1, 900_000);
        this.retry = new Retry(
                parse.integer(Variable.RETRY_MAX_ATTEMPTS, DEFAULT_RETRY_MAX_ATTEMPTS, 1, 100),
                parse.millis(Variable.RETRY_BASE_DELAY_MS, DEFAULT_RETRY_BASE_DELAY, 1, 3_600_000),
                parse.millis(Variable.RETRY_MAX_DELAY_MS, DEFAULT_RETRY_MAX_DELAY, 1, 3_600_000));
        this.breaker = new Breaker(
                parse.integer(Variable.BREAKER_FAILURE_THRESHOLD, DEFAULT_BREAKER_FAILURE_THRESHOLD, 1, 1_000),
                parse.seconds(Variable.BREAKER_WINDOW_SECONDS, DEFAULT_BREAKER_WINDOW, 1, 3_600),
                parse.seconds(Variable.BREAKER_RECOVERY_SECONDS, DEFAULT_BREAKER_RECOVERY, 1, 3_600));
        this.taskLease = parse.seconds(Variable.TASK_LEASE_SECONDS, DEFAULT_TASK_LEASE, 5, 43_200);
        this.taskMaxAge = parse.seconds(Variable.TASK_MAX_AGE_SECONDS, DEFAULT_TASK_MAX_AGE, 10, 14 * 86_400);
        // Unset lifetimes follow the deadline; set ones must agree with it (checked below).
        Duration ttlFloor = max(DEFAULT_IDEMPOTENCY_TTL, taskMaxAge);
        this.idempotencyTtl = parse.seconds(Variable.IDEMPOTENCY_TTL_SECONDS, ttlFloor, 1, 365L * 86_400);
        Duration retentionFloor = max(max(DEFAULT_TASK_RETENTION, idempotencyTtl), taskMaxAge.plus(RETENTION_PAST_DEADLINE));
        this.taskRetention = parse.seconds(Variable.TASK_RETENTION_SECONDS, retentionFloor, 60, 3_650L * 86_400);
        // Lambda takes events up to 6 MB; JSON escaping can double a body inside the event.
        this.maxBodyBytes = parse.integer(Variable.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES, 1_024, 3 * 1024 * 1024);
        this.maxTaskChars = parse.integer(Variable.MAX_TASK_CHARS, DEFAULT_MAX_TASK_CHARS, 1, MAX_TASK_CHARS_LIMIT);
        this.reconcileMaxTasksPerRun = parse.integer(Variable.RECONCILE_MAX_TASKS_PER_RUN,
                DEFAULT_RECONCILE_MAX_TASKS_PER_RUN, 1, 100_000);
        this.cursorSigningKey = parse.text(Variable.CURSOR_SIGNING_KEY);
        if (cursorSigningKey.isPresent() && cursorSigningKey.get().length() < 32) {
            parse.problem(Variable.CURSOR_SIGNING_KEY, "must be at least 32 characters long");
        }
        this.webhookSigningKey = parse.text(Variable.WEBHOOK_SIGNING_KEY);
        if (webhookSigningKey.isPresent() && webhookSigningKey.get().length() < 32) {
            parse.problem(Variable.WEBHOOK_SIGNING_KEY, "must be at least 32 characters long");
        }
        this.webhookMaxAttempts = parse.integer(Variable.WEBHOOK_MAX_ATTEMPTS, DEFAULT_WEBHOOK_MAX_ATTEMPTS, 1, 15);
        this.webhookTimeout = parse.millis(Variable.WEBHOOK_TIMEOUT_MS, DEFAULT_WEBHOOK_TIMEOUT, 1_000, 60_000);
        this.simulated = new Simulated(
                parse.millis(Variable.SIMULATED_LATENCY_MS, DEFAULT_SIMULATED_LATENCY, 0, 900_000),
                parse.decimal(Variable.SIMULATED_FAILURE_RATE, 0.0, 0.0, 1.0),
                parse.text(Variable.SIMULATED_PERMANENT_FAILURE_MARKER).orElse(DEFAULT_SIMULATED_PERMANENT_FAILURE_MARKER));
        this.port = parse.integer(Variable.PORT, DEFAULT_PORT, 0, 65_535);
        this.localApiKeys = parse.pairs(Variable.LOCAL_API_KEYS, "token=caller,token=caller");
        this.localParameterOverrides = parse.pairs(Variable.LOCAL_PARAMETER_OVERRIDES, "Name=Value,Name=Value")
                .orElse(Map.of());
        this.localScheduleInterval = parse.text(Variable.LOCAL_SCHEDULE_INTERVAL_SECONDS).isPresent()
                ? Optional.of(parse.seconds(Variable.LOCAL_SCHEDULE_INTERVAL_SECONDS, Duration.ZERO, 1, 86_400))
                : Optional.empty();

        this.serviceName = parse.text(Variable.SERVICE_NAME).orElse(DEFAULT_SERVICE_NAME);
        // the logging reads LOG_LEVEL itself, before any Config; checked here too so a typo fails the start
        parse.text(Variable.LOG_LEVEL).filter(level -> LogLevel.named(level).isEmpty())
                .ifPresent(level -> parse.problem(Variable.LOG_LEVEL,
                        "must be one of " + Arrays.toString(LogLevel.values()) + ", got '" + level + "'"));

        if (parse.isSet(Variable.IDEMPOTENCY_TTL_SECONDS) && idempotencyTtl.compareTo(taskMaxAge) < 0) {
            parse.problem(Variable.IDEMPOTENCY_TTL_SECONDS, "(" + idempotencyTtl.toSeconds() + ") must be at least "
                    + "TASK_MAX_AGE_SECONDS (" + taskMaxAge.toSeconds() + "): a key that expires while its task may "
                    + "still run would let a retry create a second live task");
        }
        if (parse.isSet(Variable.TASK_RETENTION_SECONDS) && taskRetention.compareTo(idempotencyTtl) < 0) {
            parse.problem(Variable.TASK_RETENTION_SECONDS, "(" + taskRetention.toSeconds() + ") must be at least "
                    + "IDEMPOTENCY_TTL_SECONDS (" + idempotencyTtl.toSeconds() + "): a key that outlives its task "
                    + "would let a retry re-create and re-run a task whose record expired");
        }
        if (parse.isSet(Variable.TASK_RETENTION_SECONDS)
                && taskRetention.compareTo(taskMaxAge.plus(RETENTION_PAST_DEADLINE)) < 0) {
            parse.problem(Variable.TASK_RETENTION_SECONDS, "(" + taskRetention.toSeconds() + ") must be at least "
                    + "TASK_MAX_AGE_SECONDS + 86400 (" + taskMaxAge.plus(RETENTION_PAST_DEADLINE).toSeconds()
                    + "), so a task's outcome stays readable a day past its deadline");
        }
        parse.failIfAnyProblem();
    }

    public static Config of(Map<String, String> env) {
        return new Config(env);
    }

    public static Config fromEnvironment() {
        return new Config(System.getenv());
    }

    /** The variables as given (blank ones dropped), for a local stack that hands them on with additions. */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        given.forEach((variable, value) -> map.put(variable.name(), value));
        return map;
    }

    public String tasksTable() {
        return require(Variable.TASKS_TABLE);
    }

    public String breakerTable() {
        return require(Variable.BREAKER_TABLE);
    }

    public Optional<String> breakerTableIfSet() {
        return Optional.ofNullable(given.get(Variable.BREAKER_TABLE));
    }

    public String taskQueueUrl() {
        return require(Variable.TASK_QUEUE_URL);
    }

    public Optional<String> taskDlqUrl() {
        return Optional.ofNullable(given.get(Variable.TASK_DLQ_URL));
    }

    /** The webhook delivery queue; without it no webhook is sent. */
    public Optional<String> callbackQueueUrl() {
        return Optional.ofNullable(given.get(Variable.CALLBACK_QUEUE_URL));
    }

    /** The key each caller's webhook secret is derived from: required in Lambda, else random per process. */
    public String webhookSigningKey() {
        if (webhookSigningKey.isPresent()) {
            return webhookSigningKey.get();
        }
        if (inLambda) {
            throw new ConfigurationException("WEBHOOK_SIGNING_KEY is not set");
        }
        return PROCESS_WEBHOOK_KEY;
    }

    public int webhookMaxAttempts() {
        return webhookMaxAttempts;
    }

    public Duration webhookTimeout() {
        return webhookTimeout;
    }

    public Optional<URI> awsEndpointUrl() {
        return awsEndpointUrl;
    }

    public String awsRegion() {
        return awsRegion;
    }

    public Optional<Credentials> credentials() {
        return credentials;
    }

    /** Whether this runs inside Lambda (the runtime sets {@code AWS_LAMBDA_FUNCTION_NAME}). */
    public boolean inLambda() {
        return inLambda;
    }

    /**
     * {@code LLM_PROVIDER}, or when unset: openai if a key or key parameter is configured or
     * {@code LLM_BASE_URL} names an endpoint other than the default (a local vLLM, Ollama or llama.cpp server
     * needs no key), else simulated, except inside Lambda, where the simulated provider is never chosen
     * implicitly.
     */
    public LlmProvider llmProvider() {
        if (llmProvider.isPresent()) {
            return llmProvider.get();
        }
        if (llmApiKey().isPresent() || llmApiKeyParameter().isPresent() || !llmBaseUrlIsDefault()) {
            return LlmProvider.OPENAI;
        }
        if (inLambda) {
            throw new ConfigurationException("LLM_PROVIDER is not set and no LLM key is configured; in AWS set "
                    + "LLM_PROVIDER explicitly (the simulated provider is never the default there)");
        }
        return LlmProvider.SIMULATED;
    }

    public URI llmBaseUrl() {
        return llmBaseUrl;
    }

    /**
     * Whether {@code LLM_BASE_URL} is the default endpoint (Groq), which needs a key; any other
     * OpenAI-compatible endpoint may be keyless.
     */
    public boolean llmBaseUrlIsDefault() {
        return withoutTrailingSlash(llmBaseUrl.toString()).equalsIgnoreCase(withoutTrailingSlash(DEFAULT_LLM_BASE_URL.toString()));
    }

    private static String withoutTrailingSlash(String url) {
        String trimmed = url;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    public Optional<String> llmApiKey() {
        return Optional.ofNullable(given.get(Variable.LLM_API_KEY));
    }

    public Optional<String> llmApiKeyParameter() {
        return Optional.ofNullable(given.get(Variable.LLM_API_KEY_PARAMETER));
    }

    /** {@code BEDROCK_ENDPOINT_URL}: where the Bedrock provider sends Converse calls instead of the region's endpoint. */
    public Optional<URI> bedrockEndpointUrl() {
        return bedrockEndpointUrl;
    }

    /** {@code ROUTING_CONFIG_FILE}: a routing configuration replacing the built-in one. */
    public Optional<Path> routingConfigFile() {
        return routingConfigFile;
    }

    /** {@code ROUTING_CONFIG}: the routing configuration itself, as JSON. */
    public Optional<String> routingConfig() {
        return routingConfig;
    }

    /** {@code ROUTING_CONFIG_PARAMETER}: the SSM parameter holding the routing configuration. */
    public Optional<String> routingConfigParameter() {
        return routingConfigParameter;
    }

    public Duration llmTimeout() {
        return llmTimeout;
    }

    public Retry retry() {
        return retry;
    }

    public Breaker breaker() {
        return breaker;
    }

    public Duration taskLease() {
        return taskLease;
    }

    /** A task's deadline, counted from its submission. */
    public Duration taskMaxAge() {
        return taskMaxAge;
    }

    /** How long an idempotency key binds: at least the task's maximum age, at most its retention. */
    public Duration idempotencyTtl() {
        return idempotencyTtl;
    }

    /** How long a task record lives: at least the key lifetime, and a day past the deadline. */
    public Duration taskRetention() {
        return taskRetention;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public int maxTaskChars() {
        return maxTaskChars;
    }

    public int reconcileMaxTasksPerRun() {
        return reconcileMaxTasksPerRun;
    }

    /**
     * The key that signs list cursors. Outside Lambda, a random key for this process when unset; inside, it must
     * be set (every container must accept every other's cursors).
     */
    public byte[] cursorSigningKey() {
        if (cursorSigningKey.isPresent()) {
            return cursorSigningKey.get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (inLambda) {
            throw new ConfigurationException("CURSOR_SIGNING_KEY is not set");
        }
        return PROCESS_CURSOR_KEY.clone();
    }

    public Simulated simulated() {
        return simulated;
    }

    public int port() {
        return port;
    }

    /** {@code LOCAL_API_KEYS} as token → caller; empty when unset (no authentication locally). */
    public Optional<Map<String, String>> localApiKeys() {
        return localApiKeys;
    }

    public Optional<Duration> localScheduleInterval() {
        return localScheduleInterval;
    }

    /** {@code LOCAL_PARAMETER_OVERRIDES} as parameter name → value; empty when unset (the template's defaults). */
    public Map<String, String> localParameterOverrides() {
        return localParameterOverrides;
    }

    /** The {@code Service} dimension of the metrics: the stack's name in AWS. */
    public String serviceName() {
        return serviceName;
    }

    private String require(Variable variable) {
        String value = given.get(variable);
        if (value == null) {
            throw new ConfigurationException(variable.name() + " is not set");
        }
        return value;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** Reads variables, collecting every problem instead of stopping at the first. */
    private static final class Parser {
        final Map<Variable, String> given = new EnumMap<>(Variable.class);
        final List<String> problems = new ArrayList<>();

        Parser(Map<String, String> env) {
            for (Variable variable : Variable.values()) {
                String value = blankToNull(env.get(variable.name()));
                if (value != null) {
                    given.put(variable, value);
                }
            }
        }

        boolean isSet(Variable variable) {
            return given.containsKey(variable);
        }

        void problem(Variable variable, String what) {
            problems.add(variable.name() + " " + what);
        }

        Optional<String> text(Variable variable) {
            return Optional.ofNullable(given.get(variable));
        }

        long whole(Variable variable, long defaultValue, long min, long max) {
            String raw = given.get(variable);
            if (raw == null) {
                return defaultValue;
            }
            long value;
            try {
                value = Long.parseLong(raw);
            } catch (NumberFormatException e) {
                problem(variable, "must be a whole number, got '" + raw + "'");
                return defaultValue;
            }
            if (value < min || value > max) {
                problem(variable, "must be between " + min + " and " + max + ", got " + value);
                return defaultValue;
            }
            return value;
        }

        int integer(Variable variable, int defaultValue, int min, int max) {
            return (int) whole(variable, defaultValue, min, max);
        }

        Duration millis(Variable variable, Duration defaultValue, long min, long max) {
            return Duration.ofMillis(whole(variable, defaultValue.toMillis(), min, max));
        }

        Duration seconds(Variable variable, Duration defaultValue, long min, long max) {
            return Duration.ofSeconds(whole(variable, defaultValue.toSeconds(), min, max));
        }

        double decimal(Variable variable, double defaultValue, double min, double max) {
            String raw = given.get(variable);
            if (raw == null) {
                return defaultValue;
            }
            try {
                double value = Double.parseDouble(raw);
                if (value >= min && value <= max) {
                    return value;
                }
                problem(variable, "must be between " + min + " and " + max + ", got " + raw);
            } catch (NumberFormatException e) {
                problem(variable, "must be a number, got '" + raw + "'");
            }
            return defaultValue;
        }

        Optional<URI> url(Variable variable) {
            String raw = given.get(variable);
            if (raw == null) {
                return Optional.empty();
            }
            try {
                URI uri = URI.create(raw);
                if (uri.getScheme() != null && uri.getHost() != null) {
                    return Optional.of(uri);
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            problem(variable, "must be an absolute URL, got '" + raw + "'");
            return Optional.empty();
        }

        Optional<Path> path(Variable variable) {
            String raw = given.get(variable);
            if (raw == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(Path.of(raw));
            } catch (InvalidPathException e) {
                problem(variable, "must be a file path, got '" + raw + "' (" + e.getReason() + ")");
                return Optional.empty();
            }
        }

        <E extends Enum<E>> Optional<E> choice(Variable variable, Class<E> type) {
            String raw = given.get(variable);
            if (raw == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(Enum.valueOf(type, raw.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                List<String> allowed = new ArrayList<>();
                for (E constant : type.getEnumConstants()) {
                    allowed.add(constant.name().toLowerCase(Locale.ROOT));
                }
                problem(variable, "must be one of " + String.join(", ", allowed) + "; got '" + raw + "'");
                return Optional.empty();
            }
        }

        /** {@code a=b,c=d} as a map; {@code shape} shows the expected form in the problem. */
        Optional<Map<String, String>> pairs(Variable variable, String shape) {
            String raw = given.get(variable);
            if (raw == null) {
                return Optional.empty();
            }
            Map<String, String> keys = new LinkedHashMap<>();
            for (String entry : raw.split(",")) {
                String[] parts = entry.trim().split("=", 2);
                if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                    problem(variable, "must look like " + shape + "; got entry '" + entry.trim() + "'");
                    return Optional.empty();
                }
                keys.put(parts[0].trim(), parts[1].trim());
            }
            return Optional.of(Map.copyOf(keys));
        }

        void failIfAnyProblem() {
            if (problems.size() == 1) {
                throw new ConfigurationException(problems.get(0));
            }
            if (!problems.isEmpty()) {
                throw new ConfigurationException(problems.size() + " configuration problems: "
                        + String.join("; ", problems));
            }
        }
    }
}
