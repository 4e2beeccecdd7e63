package dev.agenttasks.config;

/**
 * Every environment variable the service reads: its name, its default as the docs show it, and what it
 * means. {@link Config} parses them; the README's configuration table is checked against this list.
 */
public enum Variable {
    TASKS_TABLE("", "the tasks table (set by the template, or by the local stack)"),
    BREAKER_TABLE("", "the circuit breakers' table (set by the template, or by the local stack)"),
    TASK_QUEUE_URL("", "the task queue (set by the template, or by the local stack)"),
    TASK_DLQ_URL("", "the task queue's dead-letter queue, drained by the reconciler; unset: no DLQ pass"),
    CALLBACK_QUEUE_URL("unset", "the webhook delivery queue (set by the template, or by the local stack); unset: no webhooks are sent"),
    AWS_ENDPOINT_URL("unset", "SDK endpoint override: moto or LocalStack; unset in AWS"),
    AWS_REGION("us-east-1", "the region (set by Lambda)"),
    LLM_PROVIDER("openai with a key or a non-Groq LLM_BASE_URL, else simulated (never in Lambda)", "openai (any OpenAI-compatible API), bedrock (Amazon Bedrock's Converse API) or simulated"),
    LLM_BASE_URL("https://api.groq.com/openai/v1", "the OpenAI-compatible endpoint"),
    LLM_API_KEY("unset", "the OpenAI-compatible endpoint's key (local runs); required for the default Groq endpoint only"),
    LLM_API_KEY_PARAMETER("unset", "SSM SecureString holding the key, read by the worker at init (AWS)"),
    BEDROCK_ENDPOINT_URL("unset", "Bedrock Runtime endpoint override (a stand-in or a VPC endpoint); unset: the region's endpoint"),
    ROUTING_CONFIG_FILE("unset", "a routing configuration file (tiers, models, prices, budgets) replacing the built-in one"),
    ROUTING_CONFIG("unset", "the routing configuration itself, as JSON: the template resolves RoutingConfigParameter into it at deploy, for the submit function and the worker alike"),
    ROUTING_CONFIG_PARAMETER("unset", "an SSM String parameter holding the routing configuration, read by the worker at init (outside the template)"),
    LLM_TIMEOUT_MS("30000", "per-call timeout, the whole exchange (headers and body)"),
    RETRY_MAX_ATTEMPTS("5", "provider calls per task across deliveries"),
    RETRY_BASE_DELAY_MS("1000", "backoff base: the wait after call n is uniform in [0, min(max, base * 2^(n-1))]"),
    RETRY_MAX_DELAY_MS("60000", "backoff ceiling"),
    BREAKER_FAILURE_THRESHOLD("5", "transient failures within the window that open a model's circuit breaker, fleet-wide"),
    BREAKER_WINDOW_SECONDS("60", "the breaker's failure-counting window"),
    BREAKER_RECOVERY_SECONDS("30", "how long a breaker stays open before exactly one worker probes (doubling per failed probe, up to 5 min)"),
    TASK_LEASE_SECONDS("60", "how long a worker owns a running task without renewing it (renewed every third of it)"),
    TASK_MAX_AGE_SECONDS("3600", "a task not finished this long after submission fails (deadline_exceeded)"),
    IDEMPOTENCY_TTL_SECONDS("86400", "idempotency key lifetime: at least TASK_MAX_AGE_SECONDS, at most TASK_RETENTION_SECONDS"),
    TASK_RETENTION_SECONDS("604800", "task record lifetime (DynamoDB TTL, checked on read)"),
    MAX_BODY_BYTES("262144", "largest request body accepted by POST /tasks"),
    MAX_TASK_CHARS("32000", "longest task text (at most 100000)"),
    CURSOR_SIGNING_KEY("random per process, outside Lambda", "signs GET /tasks cursors, at least 32 characters (the template generates it in Secrets Manager)"),
    WEBHOOK_SIGNING_KEY("random per process, outside Lambda", "derives each caller's webhook secret, at least 32 characters (the template generates it in Secrets Manager)"),
    WEBHOOK_MAX_ATTEMPTS("8", "webhook deliveries per task before it is given up, 1 to 15 (10 s after the first failure, then 3x longer, at most 1 h apart)"),
    WEBHOOK_TIMEOUT_MS("10000", "one webhook delivery, the whole exchange"),
    RECONCILE_MAX_TASKS_PER_RUN("500", "due tasks one reconciler run handles"),
    SERVICE_NAME("agent-tasks", "the Service dimension of every metric (the template sets the stack name, so two stacks in one account keep apart)"),
    LOG_LEVEL("INFO", "the root log level: TRACE, DEBUG, INFO, WARN or ERROR (read by the logging as it starts; any other value fails the start)"),
    SIMULATED_LATENCY_MS("50", "simulated provider: latency of each call"),
    SIMULATED_FAILURE_RATE("0", "simulated provider: share of calls, 0 to 1, that fail with a transient 503"),
    SIMULATED_PERMANENT_FAILURE_MARKER("[fail-permanently]", "simulated provider: a task containing it fails permanently"),
    PORT("3000", "local stack only: the HTTP API's port on 127.0.0.1"),
    LOCAL_API_KEYS("unset", "local stack only: token=caller,... turns on bearer-token checks"),
    LOCAL_SCHEDULE_INTERVAL_SECONDS("the template's rate", "local stack only: how often scheduled functions (the reconciler) run"),
    LOCAL_PARAMETER_OVERRIDES("unset", "local stack only: Name=Value,... template parameters the local stack itself reads (functions' MemorySize and Timeout, the event sources' batching and concurrency), as sam deploy --parameter-overrides");

    private final String defaultValue;
    private final String meaning;

    Variable(String defaultValue, String meaning) {
        this.defaultValue = defaultValue;
        this.meaning = meaning;
    }

    /** The default as the docs show it ({@code ""} for resources, which have none). */
    public String defaultValue() {
        return defaultValue;
    }

    public String meaning() {
        return meaning;
    }
}
