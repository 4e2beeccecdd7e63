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
import dev.agenttasks.domain.task.Task;

/** {@code POST /tasks}: checks the request, hands it to {@link SubmitTaskService}, renders the answer. */
public final class SubmitTaskApi {

    public static final int DEFAULT_MAX_BODY_BYTES = 256 * 1024;
    public static final int DEFAULT_MAX_TASK_CHARS = 32_000;
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    public static final int MAX_TOKENS_LIMIT = 8_192;
    private static final Set<String> FIELDS = Set.of("task", "idempotency_key", "max_tokens");

    private static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final SubmitTaskService service;
    private final GetTaskApi views;
    private final TaskWaiter waiter;
    private final int maxBodyBytes;
    private final int maxTaskChars;

    /**
     * @param views   renders a finished task's view when {@code Prefer: wait} saw it finish
     * @param waiter  reads the task again while the caller waits
     */
    public SubmitTaskApi(SubmitTaskService service, GetTaskApi views, TaskWaiter waiter, int maxBodyBytes,
                         int maxTaskChars) {
        this.service = service;
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
                errors.add(new Problem.FieldError(pointer, "unknown field; allowed: task, idempotency_key, max_tokens"));
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
            throw new ProblemException(new Problem(ProblemType.VALIDATION_FAILED,
                    "the request body has " + errors.size() + " invalid field" + (errors.size() == 1 ? "" : "s"),
                    null, errors));
        }
        Optional<String> key = request.header("Idempotency-Key").map(SubmitTaskApi::unquote);
        if (key.isEmpty()) {
            key = bodyKey;
        }
        key.ifPresent(SubmitTaskApi::checkIdempotencyKey);
        return new SubmitCommand(task, maxTokens, key, fingerprint(task, maxTokens));
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

    /** SHA-256 over the canonical JSON of every field that defines the task (not the key). */
    static String fingerprint(String task, Integer maxTokens) {
        Map<String, Object> canonical = new TreeMap<>();
        canonical.put("task", task);
        canonical.put("max_tokens", maxTokens);
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
