package dev.agenttasks.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The service's configuration, read from environment variables (the names in DESIGN.md).
 * Every getter validates its value and fails with a message naming the variable.
 */
public final class Settings {

    public static final int DEFAULT_BREAKER_FAILURE_THRESHOLD = 5;
    public static final int DEFAULT_BREAKER_WINDOW_SECONDS = 60;
    public static final int DEFAULT_BREAKER_RECOVERY_SECONDS = 30;
    public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 5;
    public static final long DEFAULT_RETRY_BASE_DELAY_MS = 1_000;
    public static final long DEFAULT_RETRY_MAX_DELAY_MS = 60_000;
    public static final int DEFAULT_TASK_LEASE_SECONDS = 60;
    public static final long DEFAULT_LLM_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_IDEMPOTENCY_TTL_SECONDS = 86_400;
    public static final long DEFAULT_TASK_RETENTION_SECONDS = 7 * 86_400;
    public static final String DEFAULT_LLM_BASE_URL = "https://api.groq.com/openai/v1";

    private final Map<String, String> env;

    private Settings(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static Settings of(Map<String, String> env) {
        return new Settings(env);
    }

    public static Settings fromEnvironment() {
        return new Settings(System.getenv());
    }

    /** The raw value, or empty when unset or blank. */
    public Optional<String> get(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String require(String name) {
        return get(name).orElseThrow(() -> new ConfigurationException(name + " is not set"));
    }

    public String get(String name, String defaultValue) {
        return get(name).orElse(defaultValue);
    }

    public long getLong(String name, long defaultValue, long min, long max) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name + " must be a whole number, got '" + raw.get() + "'");
        }
        if (value < min || value > max) {
            throw new ConfigurationException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    public int getInt(String name, int defaultValue, int min, int max) {
        return (int) getLong(name, defaultValue, min, max);
    }

    public double getDouble(String name, double defaultValue, double min, double max) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        double value;
        try {
            value = Double.parseDouble(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name + " must be a number, got '" + raw.get() + "'");
        }
        if (!(value >= min && value <= max)) {
            throw new ConfigurationException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    public Optional<URI> getUri(String name) {
        return get(name).map(raw -> {
            try {
                URI uri = URI.create(raw);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
                return uri;
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(name + " must be an absolute URL, got '" + raw + "'");
            }
        });
    }

    public String tasksTable() {
        return require("TASKS_TABLE");
    }

    public String breakerTable() {
        return get("BREAKER_TABLE", "");
    }

    public String taskQueueUrl() {
        return require("TASK_QUEUE_URL");
    }

    public Optional<URI> awsEndpointUrl() {
        return getUri("AWS_ENDPOINT_URL");
    }

    public Duration llmTimeout() {
        return Duration.ofMillis(getLong("LLM_TIMEOUT_MS", DEFAULT_LLM_TIMEOUT_MS, 1, 900_000));
    }

    public Duration idempotencyTtl() {
        return Duration.ofSeconds(getLong("IDEMPOTENCY_TTL_SECONDS", DEFAULT_IDEMPOTENCY_TTL_SECONDS, 1, 365L * 86_400));
    }

    public Duration taskRetention() {
        return Duration.ofSeconds(getLong("TASK_RETENTION_SECONDS", DEFAULT_TASK_RETENTION_SECONDS, 60, 3650L * 86_400));
    }

    public Duration taskLease() {
        return Duration.ofSeconds(getLong("TASK_LEASE_SECONDS", DEFAULT_TASK_LEASE_SECONDS, 5, 43_200));
    }

    public int retryMaxAttempts() {
        return getInt("RETRY_MAX_ATTEMPTS", DEFAULT_RETRY_MAX_ATTEMPTS, 1, 100);
    }

    public Duration retryBaseDelay() {
        return Duration.ofMillis(getLong("RETRY_BASE_DELAY_MS", DEFAULT_RETRY_BASE_DELAY_MS, 1, 3_600_000));
    }

    public Duration retryMaxDelay() {
        return Duration.ofMillis(getLong("RETRY_MAX_DELAY_MS", DEFAULT_RETRY_MAX_DELAY_MS, 1, 3_600_000));
    }

    public Map<String, String> asMap() {
        return env;
    }
}
