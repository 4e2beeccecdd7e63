package dev.agenttasks.domain.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.agenttasks.config.Config;
import dev.agenttasks.config.Config.LlmProvider;
import dev.agenttasks.domain.routing.PriceTable.Price;
import dev.agenttasks.domain.routing.RoutingConfig.Model;
import dev.agenttasks.domain.routing.RoutingConfig.Rules;
import dev.agenttasks.domain.routing.RoutingConfig.SimpleRule;
import dev.agenttasks.domain.routing.RoutingConfig.Tier;
import dev.agenttasks.json.JsonNumber;
import dev.agenttasks.json.JsonObject;
import dev.agenttasks.json.JsonReadException;
import dev.agenttasks.json.JsonReader;
import dev.agenttasks.json.JsonValue;

/**
 * Reads a routing configuration (JSON, format in docs/routing.md) and checks all of it: unknown and missing fields,
 * types and ranges, references between models and tiers, and the budget invariants. Every problem is reported at
 * once in a {@link RoutingConfigException} naming the source and each field by its JSON pointer (RFC 6901).
 *
 * <p>Which configuration applies ({@link #load}): {@code ROUTING_CONFIG_FILE}, else {@code ROUTING_CONFIG} (the JSON
 * itself), else {@code ROUTING_CONFIG_PARAMETER} (read by the caller: the worker, through SSM's JSON API), else the built-in one for the provider: {@value #BUILT_IN} (Groq's
 * models) or, with {@code LLM_PROVIDER=bedrock}, {@value #BUILT_IN_BEDROCK}.
 */
public final class RoutingConfigLoader {

    public static final String BUILT_IN = "routing.json";
    public static final String BUILT_IN_BEDROCK = "routing-bedrock.json";
    /** Tier names travel in the API ({@code "tier": "simple"}) and on stored tasks: short, lower-case. */
    public static final Pattern TIER_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    private static final String RESOURCE_DIR = "/dev/agenttasks/domain/routing/";
    /** Repeated names and trailing content are errors; prices are read exactly. */
    private static final JsonReader READER = JsonReader.strict().exactDecimals();

    private RoutingConfigLoader() {
    }

    /** The configuration in force for {@code config}; {@code readParameter} returns an SSM parameter's text by name. */
    public static RoutingConfig load(Config config, Function<String, String> readParameter) {
        if (config.routingConfigFile().isPresent()) {
            return fromFile(config.routingConfigFile().get());
        }
        if (config.routingConfig().isPresent()) {
            return parse(config.routingConfig().get(), "ROUTING_CONFIG");
        }
        if (config.routingConfigParameter().isPresent()) {
            String name = config.routingConfigParameter().get();
            return parse(readParameter.apply(name), "SSM parameter " + name);
        }
        return builtIn(config.llmProvider());
    }

    /** The built-in configuration: the seed's tiers on Groq. */
    public static RoutingConfig builtIn() {
        return resource(BUILT_IN);
    }

    /** The built-in configuration for a provider: Amazon Nova models for Bedrock, else Groq's Llama models. */
    public static RoutingConfig builtIn(LlmProvider provider) {
        return resource(provider == LlmProvider.BEDROCK ? BUILT_IN_BEDROCK : BUILT_IN);
    }

    public static RoutingConfig fromFile(Path file) {
        String source = "file " + file;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new RoutingConfigException(source, List.of("cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")"));
        }
        try {
            return parse(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString(), source);
        } catch (CharacterCodingException e) {
            throw new RoutingConfigException(source, List.of("is not UTF-8 text"));
        }
    }

    /**
     * Parses and checks a configuration.
     *
     * @param source names it in messages, e.g. {@code file /etc/routing.json}
     * @throws RoutingConfigException naming {@code source} and every problem
     */
    public static RoutingConfig parse(String json, String source) {
        if (json == null || json.isBlank()) {
            throw new RoutingConfigException(source, List.of("is empty"));
        }
        JsonValue root;
        try {
            root = READER.read(json);
        } catch (JsonReadException e) {
            String where = e.location().map(at -> " at line " + at.line() + ", column " + at.column()).orElse("");
            throw new RoutingConfigException(source, List.of("is not valid JSON" + where + ": " + e.reason()));
        }
        Checker check = new Checker();
        RoutingConfig config = check.root(root, source);
        if (!check.problems.isEmpty()) {
            throw new RoutingConfigException(source, check.problems);
        }
        return config;
    }

    private static RoutingConfig resource(String name) {
        try (InputStream in = RoutingConfigLoader.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("the built-in " + name + " is missing from the class path");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in " + name);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the built-in " + name, e);
        }
    }

    /** RFC 6901: {@code ~} and {@code /} in a member name are escaped. */
    static String pointer(String parent, String member) {
        return parent + "/" + member.replace("~", "~0").replace("/", "~1");
    }

    /** Walks the document collecting every problem; {@link #root} returns null when there is any. */
    private static final class Checker {
        final List<String> problems = new ArrayList<>();
        /** Ids declared in the document, valid or not: a reference to an invalid one adds no second problem. */
        final Set<String> declaredModels = new LinkedHashSet<>();
        final Set<String> declaredTiers = new LinkedHashSet<>();

        void problem(String pointer, String what) {
            problems.add((pointer.isEmpty() ? "(root)" : pointer) + ": " + what);
        }

        RoutingConfig root(JsonValue root, String source) {
            if (!members(root, "", Set.of("models", "tiers", "routing"), Set.of())) {
                return null;
            }
            Map<String, Model> models = models(root.path("models"));
            Map<String, Tier> tiers = tiers(root.path("tiers"), models);
            Rules rules = rules(root.path("routing"), tiers);
            return problems.isEmpty() ? new RoutingConfig(source, models, tiers, rules) : null;
        }

        Map<String, Model> models(JsonValue node) {
            Map<String, Model> models = new LinkedHashMap<>();
            if (!nonEmptyObject(node, "/models", "model")) {
                return models;
            }
            for (Map.Entry<String, JsonValue> entry : ((JsonObject) node).members().entrySet()) {
                String id = entry.getKey();
                String at = pointer("/models", id);
                declaredModels.add(id);
                if (id.isBlank() || !id.equals(id.strip())) {
                    problem(at, "a model id must be non-blank without surrounding spaces");
                    continue;
                }
                JsonValue model = entry.getValue();
                if (!members(model, at, Set.of("context_window_tokens", "usd_per_million_input_tokens",
                        "usd_per_million_output_tokens"), Set.of("provider"))) {
                    continue;
                }
                Optional<LlmProvider> provider = Optional.empty();
                if (model.has("provider")) {
                    Optional<String> name = text(model, at, "provider");
                    provider = name.flatMap(LlmProvider::of);
                    if (name.isPresent() && provider.isEmpty()) {
                        problem(pointer(at, "provider"), "must be one of openai, bedrock, simulated; got \""
                                + name.get() + "\"");
                    }
                }
                Optional<Long> window = whole(model, at, "context_window_tokens", 1, Integer.MAX_VALUE);
                Optional<BigDecimal> input = price(model, at, "usd_per_million_input_tokens");
                Optional<BigDecimal> output = price(model, at, "usd_per_million_output_tokens");
                if (window.isPresent() && input.isPresent() && output.isPresent()) {
                    models.put(id, new Model(id, provider, window.get().intValue(), new Price(input.get(), output.get())));
                }
            }
            return models;
        }

        Map<String, Tier> tiers(JsonValue node, Map<String, Model> models) {
            Map<String, Tier> tiers = new LinkedHashMap<>();
            if (!nonEmptyObject(node, "/tiers", "tier")) {
                return tiers;
            }
            for (Map.Entry<String, JsonValue> entry : ((JsonObject) node).members().entrySet()) {
                String name = entry.getKey();
                String at = pointer("/tiers", name);
                declaredTiers.add(name);
                if (!TIER_NAME.matcher(name).matches()) {
                    problem(at, "a tier name must be 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter");
                    continue;
                }
                JsonValue tier = entry.getValue();
                if (!members(tier, at, Set.of("model", "max_output_tokens", "budget_tokens", "reserved_output_tokens",
                        "max_total_tokens"), Set.of("fallback_model"))) {
                    continue;
                }
                Optional<Model> model = modelRef(tier, at, "model", models);
                Optional<Model> fallback = Optional.empty();
                boolean fallbackOk = true;
                if (tier.has("fallback_model")) {
                    fallback = modelRef(tier, at, "fallback_model", models);
                    fallbackOk = fallback.isPresent();
                    if (fallback.isPresent() && model.isPresent() && fallback.get().id().equals(model.get().id())) {
                        problem(pointer(at, "fallback_model"), "must differ from the tier's model (\""
                                + model.get().id() + "\")");
                        fallbackOk = false;
                    }
                }
                Optional<Long> maxOutput = whole(tier, at, "max_output_tokens", 1, Integer.MAX_VALUE);
                Optional<Long> budget = whole(tier, at, "budget_tokens", 1, Integer.MAX_VALUE);
                Optional<Long> reserved = whole(tier, at, "reserved_output_tokens", 0, Integer.MAX_VALUE);
                Optional<Long> maxTotal = whole(tier, at, "max_total_tokens", 1, Long.MAX_VALUE);
                if (model.isEmpty() || !fallbackOk || maxOutput.isEmpty() || budget.isEmpty() || reserved.isEmpty()
                        || maxTotal.isEmpty()) {
                    continue;
                }
                Tier built = new Tier(name, model.get().id(), fallback.map(Model::id), maxOutput.get().intValue(),
                        budget.get().intValue(), reserved.get().intValue(), maxTotal.get());
                if (budgetsHold(built, at, model.get(), fallback)) {
                    tiers.put(name, built);
                }
            }
            return tiers;
        }

        boolean budgetsHold(Tier tier, String at, Model model, Optional<Model> fallback) {
            int before = problems.size();
            if (tier.reservedOutputTokens() < tier.maxOutputTokens()) {
                problem(pointer(at, "reserved_output_tokens"), "(" + tier.reservedOutputTokens() + ") must be at least "
                        + "max_output_tokens (" + tier.maxOutputTokens() + "), so a full answer fits the budget");
            }
            if (tier.reservedOutputTokens() >= tier.budgetTokens()) {
                problem(pointer(at, "reserved_output_tokens"), "(" + tier.reservedOutputTokens() + ") must be less than "
                        + "budget_tokens (" + tier.budgetTokens() + "), or no prompt fits");
            }
            if (tier.maxTotalTokens() < tier.budgetTokens()) {
                problem(pointer(at, "max_total_tokens"), "(" + tier.maxTotalTokens() + ") must be at least "
                        + "budget_tokens (" + tier.budgetTokens() + "), so one full-size attempt fits");
            }
            List<Model> targets = new ArrayList<>(List.of(model));
            fallback.ifPresent(targets::add);
            for (Model target : targets) {
                if (tier.maxOutputTokens() >= target.contextWindowTokens()) {
                    problem(pointer(at, "max_output_tokens"), "(" + tier.maxOutputTokens() + ") must be less than the "
                            + "context window of " + target.id() + " (" + target.contextWindowTokens() + ")");
                }
            }
            return problems.size() == before;
        }

        Rules rules(JsonValue node, Map<String, Tier> tiers) {
            if (!members(node, "/routing", Set.of("default_tier"), Set.of("simple"))) {
                return null;
            }
            Optional<String> defaultTier = tierRef(node, "/routing", "default_tier", tiers);
            Optional<SimpleRule> simple = Optional.empty();
            if (node.has("simple")) {
                simple = simpleRule(node.path("simple"), tiers);
            }
            Optional<SimpleRule> rule = simple;
            return defaultTier.map(d -> new Rules(d, rule)).orElse(null);
        }

        Optional<SimpleRule> simpleRule(JsonValue node, Map<String, Tier> tiers) {
            String at = "/routing/simple";
            if (!members(node, at, Set.of("tier", "keywords", "fewer_words_than", "max_estimated_tokens"), Set.of())) {
                return Optional.empty();
            }
            Optional<String> tier = tierRef(node, at, "tier", tiers);
            List<String> keywords = new ArrayList<>();
            JsonValue list = node.path("keywords");
            String listAt = pointer(at, "keywords");
            if (!list.isArray() || list.size() == 0) {
                problem(listAt, "must be a non-empty array of strings");
            } else {
                Set<String> seen = new LinkedHashSet<>();
                for (int i = 0; i < list.size(); i++) {
                    JsonValue keyword = list.path(i);
                    if (!keyword.isString() || keyword.asText().isBlank()) {
                        problem(listAt + "/" + i, "must be a non-blank string");
                    } else if (!seen.add(keyword.asText().strip().toLowerCase(Locale.ROOT))) {
                        problem(listAt + "/" + i, "repeats \"" + keyword.asText() + "\"");
                    }
                }
                keywords.addAll(seen);
            }
            Optional<Long> words = whole(node, at, "fewer_words_than", 1, Integer.MAX_VALUE);
            Optional<Long> tokens = whole(node, at, "max_estimated_tokens", 1, Integer.MAX_VALUE);
            if (tier.isEmpty() || words.isEmpty() || tokens.isEmpty() || keywords.size() != list.size()) {
                return Optional.empty();
            }
            return Optional.of(new SimpleRule(tier.get(), keywords, words.get().intValue(), tokens.get().intValue()));
        }

        /** Checks {@code node} is an object with every required member and nothing unknown. */
        boolean members(JsonValue node, String at, Set<String> required, Set<String> optional) {
            if (!node.isObject()) {
                problem(at, "must be a JSON object, got " + describe(node));
                return false;
            }
            boolean ok = true;
            Set<String> allowed = new TreeSet<>(required);
            allowed.addAll(optional);
            for (String name : ((JsonObject) node).members().keySet()) {
                if (!allowed.contains(name)) {
                    problem(pointer(at, name), "unknown field (allowed: " + String.join(", ", allowed) + ")");
                    ok = false;
                }
            }
            for (String name : new TreeSet<>(required)) {
                if (node.path(name).isMissingOrNull()) {
                    problem(pointer(at, name), "is required");
                    ok = false;
                }
            }
            return ok;
        }

        boolean nonEmptyObject(JsonValue node, String at, String what) {
            if (!node.isObject()) {
                problem(at, "must be a JSON object of " + what + "s, got " + describe(node));
                return false;
            }
            if (node.size() == 0) {
                problem(at, "must name at least one " + what);
                return false;
            }
            return true;
        }

        Optional<String> text(JsonValue parent, String at, String field) {
            JsonValue node = parent.path(field);
            if (!node.isString() || node.asText().isBlank()) {
                problem(pointer(at, field), "must be a non-blank string, got " + describe(node));
                return Optional.empty();
            }
            return Optional.of(node.asText().strip());
        }

        Optional<Long> whole(JsonValue parent, String at, String field, long min, long max) {
            JsonValue node = parent.path(field);
            String where = pointer(at, field);
            if (!(node instanceof JsonNumber number) || !number.fitsLong()) {
                problem(where, "must be a whole number from " + min + " to " + max + ", got " + describe(node));
                return Optional.empty();
            }
            long value = number.longValue();
            if (value < min || value > max) {
                problem(where, "must be from " + min + " to " + max + ", got " + value);
                return Optional.empty();
            }
            return Optional.of(value);
        }

        Optional<BigDecimal> price(JsonValue parent, String at, String field) {
            JsonValue node = parent.path(field);
            if (!(node instanceof JsonNumber number) || number.decimalValue().signum() < 0) {
                problem(pointer(at, field), "must be a number of US dollars, 0 or more, got " + describe(node));
                return Optional.empty();
            }
            return Optional.of(number.decimalValue().stripTrailingZeros());
        }

        Optional<Model> modelRef(JsonValue parent, String at, String field, Map<String, Model> models) {
            Optional<String> id = text(parent, at, field);
            if (id.isEmpty()) {
                return Optional.empty();
            }
            Model model = models.get(id.get());
            if (model == null && !declaredModels.contains(id.get())) {
                problem(pointer(at, field), "names no model under /models: \"" + id.get() + "\""
                        + (declaredModels.isEmpty() ? "" : " (models: " + String.join(", ", declaredModels) + ")"));
            }
            return Optional.ofNullable(model);
        }

        Optional<String> tierRef(JsonValue parent, String at, String field, Map<String, Tier> tiers) {
            Optional<String> name = text(parent, at, field);
            if (name.isEmpty()) {
                return Optional.empty();
            }
            if (!tiers.containsKey(name.get())) {
                if (!declaredTiers.contains(name.get())) {
                    problem(pointer(at, field), "names no tier under /tiers: \"" + name.get() + "\""
                            + (declaredTiers.isEmpty() ? "" : " (tiers: " + String.join(", ", declaredTiers) + ")"));
                }
                return Optional.empty();
            }
            return name;
        }

        /** The value's type and its JSON, cut at 40 characters: {@code number 1.5}, {@code string "x"}. */
        private static String describe(JsonValue node) {
            if (node.isMissing()) {
                return "nothing";
            }
            String text = node.toString();
            return node.type().name().toLowerCase(Locale.ROOT) + " "
                    + (text.length() <= 40 ? text : text.substring(0, 40) + "…");
        }
    }
}
