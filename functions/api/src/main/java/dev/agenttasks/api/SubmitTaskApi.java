package dev.agenttasks.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

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

    private static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

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
        JsonNode json;
        try {
            json = STRICT_JSON.readTree(body);
        } catch (JsonProcessingException e) {
            Optional<String> objectWithBadName = objectWithUnpairedSurrogateInAName(e);
            if (objectWithBadName.isPresent()) {
                throw new ProblemException(new Problem(ProblemType.VALIDATION_FAILED, "the request body has 1 invalid field",
                        null, List.of(new Problem.FieldError(objectWithBadName.get(),
                                "a member name of this object contains an unpaired UTF-16 surrogate; send valid Unicode"))));
            }
            JsonLocation at = e.getLocation();
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "the request body is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (json == null || !json.isObject()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "the request body must be a JSON object");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        findUnpairedSurrogates(json, "", errors);
        Set<String> reported = new HashSet<>();
        errors.forEach(error -> reported.add(error.pointer()));
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            String pointer = "/" + escape(name);
            if (!FIELDS.contains(name) && !reported.contains(pointer)) {
                errors.add(new Problem.FieldError(pointer, "unknown field; allowed: " + String.join(", ", FIELD_NAMES)));
            }
        }
        String task = null;
        JsonNode taskNode = json.get("task");
        if (reported.contains("/task")) {
            // already reported
        } else if (taskNode == null || taskNode.isNull()) {
            errors.add(new Problem.FieldError("/task", "is required"));
        } else if (!taskNode.isTextual()) {
            errors.add(new Problem.FieldError("/task", "must be a string"));
        } else if (taskNode.textValue().isBlank()) {
            errors.add(new Problem.FieldError("/task", "must not be blank"));
        } else if (taskNode.textValue().length() > maxTaskChars) {
            throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE,
                    "task is " + taskNode.textValue().length() + " characters; the limit is " + maxTaskChars);
        } else {
            task = taskNode.textValue();
        }
        Integer maxTokens = null;
        JsonNode maxTokensNode = json.get("max_tokens");
        if (maxTokensNode != null && !maxTokensNode.isNull() && !reported.contains("/max_tokens")) {
            if (!maxTokensNode.isIntegralNumber() || !maxTokensNode.canConvertToInt()
                    || maxTokensNode.intValue() < 1 || maxTokensNode.intValue() > MAX_TOKENS_LIMIT) {
                errors.add(new Problem.FieldError("/max_tokens", "must be a whole number from 1 to " + MAX_TOKENS_LIMIT));
            } else {
                maxTokens = maxTokensNode.intValue();
            }
        }
        String system = null;
        JsonNode systemNode = json.get("system");
        if (systemNode != null && !systemNode.isNull() && !reported.contains("/system")) {
            if (!systemNode.isTextual()) {
                errors.add(new Problem.FieldError("/system", "must be a string"));
            } else if (systemNode.textValue().isBlank()) {
                errors.add(new Problem.FieldError("/system", "must not be blank (leave it out for the default)"));
            } else {
                system = systemNode.textValue();
            }
        }
        List<ChatMessage> history = messages(json.get("messages"), reported, errors);
        Optional<String> tier = Optional.empty();
        JsonNode tierNode = json.get("tier");
        if (tierNode != null && !tierNode.isNull() && !reported.contains("/tier")) {
            if (!tierNode.isTextual() || tierNode.textValue().isBlank()) {
                errors.add(new Problem.FieldError("/tier", "must be the name of a configured tier"));
            } else {
                tier = Optional.of(tierNode.textValue());
            }
        }
        Long maxTotalTokens = null;
        JsonNode capNode = json.get("max_total_tokens");
        if (capNode != null && !capNode.isNull() && !reported.contains("/max_total_tokens")) {
            if (!capNode.isIntegralNumber() || !capNode.canConvertToLong() || capNode.longValue() < 1
                    || capNode.longValue() > MAX_TOTAL_TOKENS_LIMIT) {
                errors.add(new Problem.FieldError("/max_total_tokens", "must be a whole number from 1 to "
                        + MAX_TOTAL_TOKENS_LIMIT));
            } else {
                maxTotalTokens = capNode.longValue();
            }
        }
        String callbackUrl = null;
        JsonNode callbackNode = json.get("callback_url");
        if (callbackNode != null && !callbackNode.isNull() && !reported.contains("/callback_url")) {
            Optional<String> problem = callbackNode.isTextual() ? callbacks.problemWith(callbackNode.textValue())
                    : Optional.of("must be a string");
            if (problem.isPresent()) {
                errors.add(new Problem.FieldError("/callback_url", problem.get()));
            } else {
                callbackUrl = callbackNode.textValue();
            }
        }
        Optional<String> bodyKey = Optional.empty();
        JsonNode keyNode = json.get("idempotency_key");
        if (keyNode != null && !keyNode.isNull() && !reported.contains("/idempotency_key")) {
            if (!keyNode.isTextual()) {
                errors.add(new Problem.FieldError("/idempotency_key", "must be a string"));
            } else {
                bodyKey = Optional.of(keyNode.textValue());
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
    private static List<ChatMessage> messages(JsonNode node, Set<String> reported, List<Problem.FieldError> errors) {
        if (node == null || node.isNull() || reported.contains("/messages")) {
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
            JsonNode message = node.get(i);
            if (!message.isObject()) {
                errors.add(new Problem.FieldError(at, "must be an object with role and content"));
                continue;
            }
            boolean valid = true;
            for (Iterator<String> names = message.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("role") && !name.equals("content") && !reported.contains(at + "/" + escape(name))) {
                    errors.add(new Problem.FieldError(at + "/" + escape(name), "unknown field; allowed: role, content"));
                    valid = false;
                }
            }
            JsonNode role = message.get("role");
            if (!reported.contains(at + "/role") && (role == null || !role.isTextual()
                    || !Conversation.HISTORY_ROLES.contains(role.textValue()))) {
                errors.add(new Problem.FieldError(at + "/role", "must be \"user\" or \"assistant\""));
                valid = false;
            }
            JsonNode content = message.get("content");
            if (!reported.contains(at + "/content") && (content == null || !content.isTextual()
                    || content.textValue().isBlank())) {
                errors.add(new Problem.FieldError(at + "/content", "must be a non-blank string"));
                valid = false;
            }
            if (valid && !reported.contains(at + "/role") && !reported.contains(at + "/content")) {
                history.add(new ChatMessage(role.textValue(), content.textValue()));
            }
        }
        return history;
    }


    /**
     * Every string value and member name in {@code node} must be well-formed UTF-16: a JSON escape such as
     * <code>&#92;uD800</code> can carry a lone surrogate, which no UTF-8 encoder (DynamoDB's included) accepts.
     * Generic over the whole body, so a field added later is covered too.
     */
    private static void findUnpairedSurrogates(JsonNode node, String pointer, List<Problem.FieldError> errors) {
        if (node.isTextual()) {
            int at = unpairedSurrogate(node.textValue());
            if (at >= 0) {
                errors.add(new Problem.FieldError(pointer, "contains an unpaired UTF-16 surrogate (at character "
                        + at + "); send valid Unicode"));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                findUnpairedSurrogates(node.get(i), pointer + "/" + i, errors);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
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
     * Jackson refuses a lone surrogate escape in a member name while parsing ("Broken surrogate pair in field
     * name", "Unexpected low surrogate in field name"); the pointer is then the object holding that member,
     * whose name Jackson never finished.
     */
    private static Optional<String> objectWithUnpairedSurrogateInAName(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null || !message.contains("surrogate") || !message.contains("field name")
                || !(e.getProcessor() instanceof JsonParser parser)) {
            return Optional.empty();
        }
        JsonStreamContext object = parser.getParsingContext();
        if (object == null || !object.inObject() || object.getParent() == null) {
            return Optional.empty();
        }
        return Optional.of(object.getParent().pathAsPointer().toString());
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
            byte[] bytes = STRICT_JSON.writeValueAsBytes(canonical);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
