package dev.agenttasks.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import dev.agenttasks.domain.submit.IdempotencyKeyReusedException;
import dev.agenttasks.domain.submit.SubmitCommand;
import dev.agenttasks.domain.submit.SubmitResult;
import dev.agenttasks.domain.submit.SubmitTaskService;
import dev.agenttasks.domain.submit.TaskExpiredException;
import dev.agenttasks.domain.port.LlmRequest.ChatMessage;
import dev.agenttasks.domain.process.TaskProcessor;
import dev.agenttasks.domain.routing.Conversation;
import dev.agenttasks.domain.routing.RequestPlanner;
import dev.agenttasks.domain.routing.RequestPlanner.Admission;
import dev.agenttasks.domain.task.Routing;
import dev.agenttasks.domain.task.Task;
import dev.agenttasks.json.JsonNumber;
import dev.agenttasks.json.JsonObject;
import dev.agenttasks.json.JsonReadException;
import dev.agenttasks.json.JsonReader;
import dev.agenttasks.json.JsonValue;
import dev.agenttasks.json.JsonWriter;

/** {@code POST /tasks}: checks the request, hands it to {@link SubmitTaskService}, renders the answer. */
public final class SubmitTaskApi {

    public static final int DEFAULT_MAX_BODY_BYTES = 256 * 1024;
    public static final int DEFAULT_MAX_TASK_CHARS = 32_000;
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    public static final int MAX_TOKENS_LIMIT = 8_192;
    private static final List<String> FIELD_NAMES = List.of("task", "system", "messages", "tier", "max_tokens",
            "max_total_tokens", "callback_url", "idempotency_key");
    private static final Set<String> FIELDS = Set.copyOf(FIELD_NAMES);
    /** Earlier turns a request may carry. */
    public static final int MAX_MESSAGES = 1_000;
    public static final long MAX_TOTAL_TOKENS_LIMIT = 10_000_000;

    /** A repeated member name or anything after the object is malformed. */
    private static final JsonReader STRICT_JSON = JsonReader.strict();

    private final SubmitTaskService service;
    private final RequestPlanner planner;
    private final CallbackUrls callbacks;
    private final GetTaskApi views;
    private final TaskWaiter waiter;
    private final int maxBodyBytes;
    private final int maxTaskChars;

    /**
     * @param planner routes each task at submit and refuses one that can never fit its tier or its token cap
     * @param views   renders a finished task's view when {@code Prefer: wait} saw it finish
     * @param waiter  reads the task again while the caller waits
     */
    public SubmitTaskApi(SubmitTaskService service, RequestPlanner planner, CallbackUrls callbacks, GetTaskApi views,
                         TaskWaiter waiter, int maxBodyBytes, int maxTaskChars) {
        this.service = service;
        this.planner = planner;
        this.callbacks = callbacks;
        this.views = views;
        this.waiter = waiter;
        this.maxBodyBytes = maxBodyBytes;
        this.maxTaskChars = maxTaskChars;
    }

    public HttpResponse handle(HttpRequest request) {
        String caller = request.caller().orElseThrow(() ->
                new ProblemException(ProblemType.UNAUTHENTICATED, "the request carries no authenticated caller"));
        SubmitCommand command = parse(request);
        Optional<Duration> wait = Preferences.waitOf(request);
        SubmitResult result;
        try {
            result = service.submit(caller, command);
        } catch (IdempotencyKeyReusedException e) {
            throw new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED, e.getMessage()
                    + "; use a new key for a new request");
        } catch (TaskExpiredException e) {
            throw new ProblemException(ProblemType.TASK_NOT_FOUND,
                    "the task this Idempotency-Key created is past its retention; use a new key for a new request");
        }
        String location = "/tasks/" + result.task().id();
        Task task = wait.map(w -> waiter.await(result.task(), w, t -> t.status().isTerminal())).orElse(result.task());
        HttpResponse response;
        if (result.replayed() || task.status().isTerminal()) {
            response = views.view(task).withHeader("Location", location);
            if (result.replayed()) {
                response = response.withHeader("Idempotent-Replayed", "true");
            }
        } else {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("task_id", task.id());
            body.put("status", task.status().value());
            response = Json.response(202, body).withHeader("Location", location);
        }
        return wait.isPresent() ? response.withHeader("Preference-Applied", Preferences.applied(wait.get())) : response;
    }

    SubmitCommand parse(HttpRequest request) {
        checkContentType(request.header("Content-Type"));
        String body = request.body() == null ? "" : request.body();
        if (body.length() > maxBodyBytes || body.getBytes(StandardCharsets.UTF_8).length > maxBodyBytes) {
            throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE,
                    "the request body exceeds " + maxBodyBytes + " bytes");
        }
        if (body.isBlank()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "the request body is empty; send a JSON object");
        }
        JsonValue json;
        try {
            json = STRICT_JSON.read(body);
        } catch (JsonReadException e) {
            Optional<String> objectWithBadName = objectWithUnpairedSurrogateInAName(e);
            if (objectWithBadName.isPresent()) {
                throw new ProblemException(new Problem(ProblemType.VALIDATION_FAILED, "the request body has 1 invalid field",
                        null, List.of(new Problem.FieldError(objectWithBadName.get(),
                                "a member name of this object contains an unpaired UTF-16 surrogate; send valid Unicode"))));
            }
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "the request body is not valid JSON"
                    + e.location().map(at -> " (line " + at.line() + ", column " + at.column() + ")").orElse(""));
        }
        if (!json.isObject()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "the request body must be a JSON object");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        findUnpairedSurrogates(json, "", errors);
        Set<String> reported = new HashSet<>();
        errors.forEach(error -> reported.add(error.pointer()));
        for (String name : ((JsonObject) json).members().keySet()) {
            String pointer = "/" + escape(name);
            if (!FIELDS.contains(name) && !reported.contains(pointer)) {
                errors.add(new Problem.FieldError(pointer, "unknown field; allowed: " + String.join(", ", FIELD_NAMES)));
            }
        }
        String task = null;
        JsonValue taskNode = json.path("task");
        if (reported.contains("/task")) {
            // already reported
        } else if (taskNode.isMissingOrNull()) {
            errors.add(new Problem.FieldError("/task", "is required"));
        } else if (!taskNode.isString()) {
            errors.add(new Problem.FieldError("/task", "must be a string"));
        } else if (taskNode.asText().isBlank()) {
            errors.add(new Problem.FieldError("/task", "must not be blank"));
        } else if (taskNode.asText().length() > maxTaskChars) {
            throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE,
                    "task is " + taskNode.asText().length() + " characters; the limit is " + maxTaskChars);
        } else {
            task = taskNode.asText();
        }
        Integer maxTokens = null;
        JsonValue maxTokensNode = json.path("max_tokens");
        if (!maxTokensNode.isMissingOrNull() && !reported.contains("/max_tokens")) {
            if (!(maxTokensNode instanceof JsonNumber number) || !number.fitsInt()
                    || number.intValue() < 1 || number.intValue() > MAX_TOKENS_LIMIT) {
                errors.add(new Problem.FieldError("/max_tokens", "must be a whole number from 1 to " + MAX_TOKENS_LIMIT));
            } else {
                maxTokens = number.intValue();
            }
        }
        String system = null;
        JsonValue systemNode = json.path("system");
        if (!systemNode.isMissingOrNull() && !reported.contains("/system")) {
            if (!systemNode.isString()) {
                errors.add(new Problem.FieldError("/system", "must be a string"));
            } else if (systemNode.asText().isBlank()) {
                errors.add(new Problem.FieldError("/system", "must not be blank (leave it out for the default)"));
            } else {
                system = systemNode.asText();
            }
        }
        List<ChatMessage> history = messages(json.path("messages"), reported, errors);
        Optional<String> tier = Optional.empty();
        JsonValue tierNode = json.path("tier");
        if (!tierNode.isMissingOrNull() && !reported.contains("/tier")) {
            if (!tierNode.isString() || tierNode.asText().isBlank()) {
                errors.add(new Problem.FieldError("/tier", "must be the name of a configured tier"));
            } else {
                tier = Optional.of(tierNode.asText());
            }
        }
        Long maxTotalTokens = null;
        JsonValue capNode = json.path("max_total_tokens");
        if (!capNode.isMissingOrNull() && !reported.contains("/max_total_tokens")) {
            if (!(capNode instanceof JsonNumber number) || !number.fitsLong() || number.longValue() < 1
                    || number.longValue() > MAX_TOTAL_TOKENS_LIMIT) {
                errors.add(new Problem.FieldError("/max_total_tokens", "must be a whole number from 1 to "
                        + MAX_TOTAL_TOKENS_LIMIT));
            } else {
                maxTotalTokens = number.longValue();
            }
        }
        String callbackUrl = null;
        JsonValue callbackNode = json.path("callback_url");
        if (!callbackNode.isMissingOrNull() && !reported.contains("/callback_url")) {
            Optional<String> problem = callbackNode.isString() ? callbacks.problemWith(callbackNode.asText())
                    : Optional.of("must be a string");
            if (problem.isPresent()) {
                errors.add(new Problem.FieldError("/callback_url", problem.get()));
            } else {
                callbackUrl = callbackNode.asText();
            }
        }
        Optional<String> bodyKey = Optional.empty();
        JsonValue keyNode = json.path("idempotency_key");
        if (!keyNode.isMissingOrNull() && !reported.contains("/idempotency_key")) {
            if (!keyNode.isString()) {
                errors.add(new Problem.FieldError("/idempotency_key", "must be a string"));
            } else {
                bodyKey = Optional.of(keyNode.asText());
            }
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        Optional<String> key = request.header("Idempotency-Key").map(SubmitTaskApi::unquote);
        if (key.isEmpty()) {
            key = bodyKey;
        }
        key.ifPresent(SubmitTaskApi::checkIdempotencyKey);
        Admission admission = planner.admit(new Conversation(system == null ? TaskProcessor.SYSTEM_PROMPT : system,
                history, task), tier, Optional.ofNullable(maxTokens), Optional.ofNullable(maxTotalTokens));
        if (admission instanceof RequestPlanner.UnknownTier unknown) {
            throw invalid(List.of(new Problem.FieldError("/tier", unknown.detail())));
        }
        if (admission instanceof RequestPlanner.BudgetTooSmall small) {
            throw invalid(List.of(new Problem.FieldError("/max_total_tokens", small.detail())));
        }
        if (admission instanceof RequestPlanner.PromptTooLarge tooLarge) {
            throw new ProblemException(ProblemType.PROMPT_TOO_LARGE, tooLarge.detail()
                    + "; shorten the system prompt or the task (history is trimmed, never refused)");
        }
        RequestPlanner.Accepted accepted = (RequestPlanner.Accepted) admission;
        Routing routing = new Routing(accepted.decision().tierName(), accepted.decision().reasonCode(),
                accepted.decision().reason());
        Map<String, Object> canonical = new TreeMap<>();
        canonical.put("task", task);
        canonical.put("max_tokens", maxTokens);
        putIfPresent(canonical, "system", system);
        if (!history.isEmpty()) {
            canonical.put("messages", history.stream().map(m -> List.of(m.role(), m.content())).toList());
        }
        putIfPresent(canonical, "tier", tier.orElse(null));
        putIfPresent(canonical, "max_total_tokens", maxTotalTokens);
        putIfPresent(canonical, "callback_url", callbackUrl);
        return new SubmitCommand(task, maxTokens, system, history, routing, accepted.maxTotalTokens(), callbackUrl, key,
                fingerprint(canonical));
    }

    private static ProblemException invalid(List<Problem.FieldError> errors) {
        return new ProblemException(new Problem(ProblemType.VALIDATION_FAILED,
                "the request body has " + errors.size() + " invalid field" + (errors.size() == 1 ? "" : "s"),
                null, errors));
    }

    private static void putIfPresent(Map<String, Object> canonical, String name, Object value) {
        if (value != null) {
            canonical.put(name, value);
        }
    }

    /** {@code messages}: earlier turns, oldest first, each exactly {@code {"role": "user"|"assistant", "content"}}. */
    private static List<ChatMessage> messages(JsonValue node, Set<String> reported, List<Problem.FieldError> errors) {
        if (node.isMissingOrNull() || reported.contains("/messages")) {
            return List.of();
        }
        if (!node.isArray()) {
            errors.add(new Problem.FieldError("/messages", "must be an array of {\"role\", \"content\"} objects"));
            return List.of();
        }
        if (node.size() > MAX_MESSAGES) {
            errors.add(new Problem.FieldError("/messages", "must hold at most " + MAX_MESSAGES + " messages, got "
                    + node.size()));
            return List.of();
        }
        List<ChatMessage> history = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "/messages/" + i;
            JsonValue message = node.path(i);
            if (!message.isObject()) {
                errors.add(new Problem.FieldError(at, "must be an object with role and content"));
                continue;
            }
            boolean valid = true;
            for (String name : ((JsonObject) message).members().keySet()) {
                if (!name.equals("role") && !name.equals("content") && !reported.contains(at + "/" + escape(name))) {
                    errors.add(new Problem.FieldError(at + "/" + escape(name), "unknown field; allowed: role, content"));
                    valid = false;
                }
            }
            JsonValue role = message.path("role");
            if (!reported.contains(at + "/role") && (!role.isString()
                    || !Conversation.HISTORY_ROLES.contains(role.asText()))) {
                errors.add(new Problem.FieldError(at + "/role", "must be \"user\" or \"assistant\""));
                valid = false;
            }
            JsonValue content = message.path("content");
            if (!reported.contains(at + "/content") && (!content.isString() || content.asText().isBlank())) {
                errors.add(new Problem.FieldError(at + "/content", "must be a non-blank string"));
                valid = false;
            }
            if (valid && !reported.contains(at + "/role") && !reported.contains(at + "/content")) {
                history.add(new ChatMessage(role.asText(), content.asText()));
            }
        }
        return history;
    }


    /**
     * Every string value and member name in {@code node} must be well-formed UTF-16: a JSON escape such as
     * <code>&#92;uD800</code> can carry a lone surrogate, which no UTF-8 encoder (DynamoDB's included) accepts.
     * Generic over the whole body, so a field added later is covered too.
     */
    private static void findUnpairedSurrogates(JsonValue node, String pointer, List<Problem.FieldError> errors) {
        if (node.isString()) {
            int at = unpairedSurrogate(node.asText());
            if (at >= 0) {
                errors.add(new Problem.FieldError(pointer, "contains an unpaired UTF-16 surrogate (at character "
                        + at + "); send valid Unicode"));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                findUnpairedSurrogates(node.path(i), pointer + "/" + i, errors);
            }
        } else if (node instanceof JsonObject object) {
            for (Map.Entry<String, JsonValue> field : object.members().entrySet()) {
                String member = pointer + "/" + escape(field.getKey());
                if (unpairedSurrogate(field.getKey()) >= 0) {
                    errors.add(new Problem.FieldError(member,
                            "the member name contains an unpaired UTF-16 surrogate; send valid Unicode"));
                } else {
                    findUnpairedSurrogates(field.getValue(), member, errors);
                }
            }
        }
    }

    /** The index of the first surrogate that is not half of a high-low pair, or -1. */
    static int unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * jackson-core refuses a lone surrogate escape in a member name while parsing ("Broken surrogate pair in field
     * name", "Unexpected low surrogate in field name"); the pointer is then the object holding that member,
     * whose name was never finished.
     */
    private static Optional<String> objectWithUnpairedSurrogateInAName(JsonReadException e) {
        String message = e.reason();
        if (message == null || !message.contains("surrogate") || !message.contains("field name")) {
            return Optional.empty();
        }
        return e.enclosingObject();
    }

    private static void checkContentType(Optional<String> contentType) {
        String mediaType = contentType.map(v -> v.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).orElse("");
        if (!(mediaType.equals("application/json") || (mediaType.startsWith("application/") && mediaType.endsWith("+json")))) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, contentType.isEmpty()
                    ? "set Content-Type: application/json"
                    : "Content-Type " + contentType.get() + " is not supported; send application/json");
        }
        String charset = contentType.get().toLowerCase(Locale.ROOT).replace(" ", "");
        int at = charset.indexOf("charset=");
        if (at >= 0 && !charset.substring(at + 8).replace("\"", "").startsWith("utf-8")) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "only the UTF-8 charset is supported");
        }
    }

    /** The draft's keys are structured-field strings ({@code "abc"}); bare tokens are accepted too. */
    private static String unquote(String value) {
        String trimmed = value.trim();
        if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
            return trimmed.substring(1, trimmed.length() - 1);
        }
        return trimmed;
    }

    private static void checkIdempotencyKey(String key) {
        if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
            throw new ProblemException(ProblemType.INVALID_IDEMPOTENCY_KEY,
                    "an idempotency key must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new ProblemException(ProblemType.INVALID_IDEMPOTENCY_KEY,
                        "an idempotency key may hold only printable ASCII characters");
            }
        }
    }

    /** SHA-256 over the canonical JSON (sorted members) of every field that defines the task, not the key. */
    static String fingerprint(Map<String, Object> canonical) {
        try {
            byte[] bytes = JsonWriter.compact().writeBytes(canonical);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
