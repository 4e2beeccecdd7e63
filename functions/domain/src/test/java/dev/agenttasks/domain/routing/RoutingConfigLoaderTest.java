package dev.agenttasks.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.io.TempDir;

import dev.agenttasks.config.Config;
import dev.agenttasks.config.Config.LlmProvider;
import dev.agenttasks.config.ConfigurationException;
import dev.agenttasks.domain.routing.PriceTable.Price;
import dev.agenttasks.domain.routing.RoutingConfig.Tier;

class RoutingConfigLoaderTest {

    /** A valid configuration with one of its lines replaced, for the bad-file cases. */
    static final String GOOD = """
            {
              "models": {
                "small-model": {"context_window_tokens": 8192,
                                "usd_per_million_input_tokens": 0.05, "usd_per_million_output_tokens": 0.08},
                "big/model": {"provider": "bedrock", "context_window_tokens": 131072,
                              "usd_per_million_input_tokens": 0.59, "usd_per_million_output_tokens": 0.79}
              },
              "tiers": {
                "simple": {"model": "small-model", "max_output_tokens": 400, "budget_tokens": 6000,
                           "reserved_output_tokens": 800, "max_total_tokens": 18000},
                "standard": {"model": "big/model", "fallback_model": "small-model", "max_output_tokens": 800,
                             "budget_tokens": 6000, "reserved_output_tokens": 800, "max_total_tokens": 18000}
              },
              "routing": {
                "default_tier": "standard",
                "simple": {"tier": "simple", "keywords": ["what is", "Define"], "fewer_words_than": 20,
                           "max_estimated_tokens": 1000}
              }
            }
            """;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theBuiltInConfigurationIsTheSeedsTiersOnGroq() {
        RoutingConfig config = RoutingConfigLoader.builtIn();

        assertThat(config.source()).isEqualTo("built-in routing.json");
        assertThat(config.tierNames()).containsExactly("simple", "standard");
        assertThat(config.tier("simple")).contains(new Tier("simple", "llama-3.1-8b-instant", Optional.empty(), 400,
                6000, 800, 18000));
        assertThat(config.tier("standard")).as("no fallback: a held model's tasks wait rather than degrade")
                .contains(new Tier("standard", "llama-3.3-70b-versatile", Optional.empty(), 800, 6000, 800, 18000));
        assertThat(config.model("llama-3.1-8b-instant").orElseThrow().price())
                .isEqualTo(new Price(new BigDecimal("0.05"), new BigDecimal("0.08")));
        assertThat(config.model("llama-3.3-70b-versatile").orElseThrow().price())
                .isEqualTo(new Price(new BigDecimal("0.59"), new BigDecimal("0.79")));
        assertThat(config.models().values()).allSatisfy(model -> {
            assertThat(model.contextWindowTokens()).isEqualTo(131072);
            assertThat(model.provider()).as("follows LLM_PROVIDER").isEmpty();
        });
        RoutingConfig.SimpleRule simple = config.rules().simple().orElseThrow();
        assertThat(simple.keywords()).containsExactly("what is", "define", "summarise", "list", "classify",
                "yes or no", "true or false", "how many");
        assertThat(simple.fewerWordsThan()).isEqualTo(20);
        assertThat(config.rules().defaultTier()).isEqualTo("standard");
        assertThat(config.mostExpensiveTier().name()).isEqualTo("standard");
    }

    @Test
    void bedrockGetsItsOwnBuiltInConfigurationOfNovaModels() {
        RoutingConfig config = RoutingConfigLoader.builtIn(LlmProvider.BEDROCK);

        assertThat(config.source()).isEqualTo("built-in routing-bedrock.json");
        assertThat(config.modelOf(config.tier("simple").orElseThrow()).id()).isEqualTo("amazon.nova-micro-v1:0");
        assertThat(config.modelOf(config.tier("standard").orElseThrow()).id()).isEqualTo("amazon.nova-pro-v1:0");
        assertThat(config.models().values()).allSatisfy(model ->
                assertThat(model.provider()).contains(LlmProvider.BEDROCK));
        assertThat(RoutingConfigLoader.builtIn(LlmProvider.SIMULATED).source()).isEqualTo("built-in routing.json");
    }

    @Test
    void aGoodFileIsReadWithEveryFieldAndKeywordsInLowerCase() throws IOException {
        Path file = write("routing.json", GOOD);

        RoutingConfig config = RoutingConfigLoader.fromFile(file);

        assertThat(config.source()).isEqualTo("file " + file);
        assertThat(config.model("big/model").orElseThrow().provider()).contains(LlmProvider.BEDROCK);
        assertThat(config.model("small-model").orElseThrow().contextWindowTokens()).isEqualTo(8192);
        assertThat(config.fallbackOf(config.tier("standard").orElseThrow()).orElseThrow().id()).isEqualTo("small-model");
        assertThat(config.rules().simple().orElseThrow().keywords()).containsExactly("what is", "define");
    }

    @Test
    void theFileVariableWinsAndTheParameterIsReadByItsName() throws IOException {
        Path file = write("mine.json", GOOD);
        List<String> parametersRead = new ArrayList<>();

        RoutingConfig fromFile = RoutingConfigLoader.load(Config.of(Map.of("ROUTING_CONFIG_FILE", file.toString())),
                name -> { parametersRead.add(name); return GOOD; });
        RoutingConfig fromParameter = RoutingConfigLoader.load(
                Config.of(Map.of("ROUTING_CONFIG_PARAMETER", "/agent-tasks/routing")),
                name -> { parametersRead.add(name); return GOOD; });
        RoutingConfig inline = RoutingConfigLoader.load(Config.of(Map.of("ROUTING_CONFIG", GOOD)),
                name -> { throw new AssertionError("no parameter is configured"); });
        RoutingConfig builtIn = RoutingConfigLoader.load(Config.of(Map.of("LLM_PROVIDER", "bedrock")),
                name -> { throw new AssertionError("no parameter is configured"); });

        assertThat(fromFile.source()).isEqualTo("file " + file);
        assertThat(fromParameter.source()).isEqualTo("SSM parameter /agent-tasks/routing");
        assertThat(parametersRead).containsExactly("/agent-tasks/routing");
        assertThat(builtIn.source()).isEqualTo("built-in routing-bedrock.json");
        assertThat(inline.source()).isEqualTo("ROUTING_CONFIG");
        assertThat(inline.tierNames()).isEqualTo(fromFile.tierNames());
    }

    @Test
    void aBrokenInlineConfigurationIsNamedByItsVariable() {
        RoutingConfigException e = catchThrowableOfType(RoutingConfigException.class, () -> RoutingConfigLoader.load(
                Config.of(Map.of("ROUTING_CONFIG", "{\"models\": 1}")), name -> GOOD));

        assertThat(e.getMessage()).startsWith("routing configuration ROUTING_CONFIG is invalid");
    }

    @Test
    void aMissingFileIsNamedWithWhatWentWrong() {
        Path missing = dir.resolve("nowhere.json");

        RoutingConfigException e = catchThrowableOfType(RoutingConfigException.class,
                () -> RoutingConfigLoader.fromFile(missing));

        assertThat(e).isInstanceOf(ConfigurationException.class)
                .hasMessage("routing configuration file " + missing + " is invalid: cannot be read (NoSuchFileException: "
                        + missing + ")");
    }

    @Test
    void malformedJsonIsReportedWithItsLineAndColumn() throws IOException {
        Path file = write("broken.json", "{\n  \"models\": {,\n}");

        RoutingConfigException e = catchThrowableOfType(RoutingConfigException.class,
                () -> RoutingConfigLoader.fromFile(file));

        assertThat(e.getMessage()).startsWith("routing configuration file " + file + " is invalid: is not valid JSON at "
                + "line 2, column 14: ");
        assertThat(problems("{} {}")).as("trailing content").singleElement().asString()
                .startsWith("is not valid JSON at line 1, column 4: Trailing token");
    }

    @Test
    void anEmptyDocumentIsRefused() {
        assertThat(problems("  ", "SSM parameter /p")).containsExactly("is empty");
    }

    @Test
    void duplicateMembersAreRefusedRatherThanSilentlyOverwritten() {
        String json = GOOD.replace("\"default_tier\": \"standard\",",
                "\"default_tier\": \"standard\", \"default_tier\": \"simple\",");

        assertThat(problems(json)).singleElement().asString().startsWith("is not valid JSON at line")
                .contains("Duplicate field 'default_tier'");
    }

    @Test
    void anUnknownFieldIsNamedByItsPointerWithTheAllowedOnes() {
        String json = edit(root -> object(root, "/tiers/simple").put("max_ouput", 1));

        assertThat(problems(json)).containsExactly("/tiers/simple/max_ouput: unknown field (allowed: budget_tokens, "
                + "fallback_model, max_output_tokens, max_total_tokens, model, reserved_output_tokens)");
    }

    @Test
    void aMissingFieldIsNamed() {
        String json = edit(root -> object(root, "/tiers/simple").remove("budget_tokens"));

        assertThat(problems(json)).containsExactly("/tiers/simple/budget_tokens: is required");
    }

    @Test
    void wrongTypesAndRangesAreNamedWithTheValueFound() {
        String json = edit(root -> {
            object(root, "/tiers/simple").put("max_output_tokens", "400");
            object(root, "/models/small-model").put("usd_per_million_output_tokens", -1);
            object(root, "/models/big~1model").put("context_window_tokens", 0);
            object(root, "/routing/simple").put("fewer_words_than", 2.5);
        });

        assertThat(problems(json)).as("references to the broken model and tiers add nothing").containsExactly(
                "/models/small-model/usd_per_million_output_tokens: must be a number of US dollars, 0 or more, got number -1",
                "/models/big~1model/context_window_tokens: must be from 1 to 2147483647, got 0",
                "/tiers/simple/max_output_tokens: must be a whole number from 1 to 2147483647, got string \"400\"",
                "/routing/simple/fewer_words_than: must be a whole number from 1 to 2147483647, got number 2.5");
    }

    @Test
    void referencesToModelsAndTiersMustResolve() {
        String json = edit(root -> {
            object(root, "/tiers/standard").put("fallback_model", "tiny");
            object(root, "/routing/simple").put("tier", "fast");
        });

        assertThat(problems(json)).containsExactly(
                "/tiers/standard/fallback_model: names no model under /models: \"tiny\" (models: small-model, big/model)",
                "/routing/simple/tier: names no tier under /tiers: \"fast\" (tiers: simple, standard)");
    }

    @Test
    void budgetsMustLeaveRoomForAFullAnswerAndAPrompt() {
        String json = edit(root -> object(root, "/tiers/simple").put("max_output_tokens", 9000)
                .put("reserved_output_tokens", 6000).put("max_total_tokens", 5000));

        assertThat(problems(json)).containsExactly(
                "/tiers/simple/reserved_output_tokens: (6000) must be at least max_output_tokens (9000), so a full "
                        + "answer fits the budget",
                "/tiers/simple/reserved_output_tokens: (6000) must be less than budget_tokens (6000), or no prompt fits",
                "/tiers/simple/max_total_tokens: (5000) must be at least budget_tokens (6000), so one full-size attempt fits",
                "/tiers/simple/max_output_tokens: (9000) must be less than the context window of small-model (8192)");
    }

    @Test
    void aFallbackModelsContextWindowBoundsTheTiersOutputCap() {
        String json = edit(root -> object(root, "/tiers/standard").put("max_output_tokens", 8192)
                .put("reserved_output_tokens", 8192).put("budget_tokens", 9000).put("max_total_tokens", 9000));

        assertThat(problems(json)).containsExactly("/tiers/standard/max_output_tokens: (8192) must be less than the "
                + "context window of small-model (8192)");
    }

    @Test
    void providersTierNamesAndFallbacksAreChecked() {
        String json = edit(root -> {
            object(root, "/models/big~1model").put("provider", "anthropic");
            object(root, "/tiers").set("Simple Tier", object(root, "/tiers").remove("simple"));
            object(root, "/tiers").set("other", object(root, "/tiers/standard").deepCopy()
                    .put("model", "small-model").put("fallback_model", "small-model"));
        });

        assertThat(problems(json)).containsExactly(
                "/models/big~1model/provider: must be one of openai, bedrock, simulated; got \"anthropic\"",
                "/tiers/Simple Tier: a tier name must be 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter",
                "/tiers/other/fallback_model: must differ from the tier's model (\"small-model\")",
                "/routing/simple/tier: names no tier under /tiers: \"simple\" (tiers: standard, Simple Tier, other)");
    }

    @Test
    void keywordsMustBeDistinctNonBlankStrings() {
        String json = edit(root -> object(root, "/routing/simple").putArray("keywords")
                .add("what is").add(" ").add(3).add("WHAT IS"));

        assertThat(problems(json)).containsExactly(
                "/routing/simple/keywords/1: must be a non-blank string",
                "/routing/simple/keywords/2: must be a non-blank string",
                "/routing/simple/keywords/3: repeats \"WHAT IS\"");
    }

    @Test
    void theMessageNamesTheSourceAndCountsTheProblems() {
        String json = edit(root -> {
            object(root, "/tiers/simple").remove("budget_tokens");
            object(root, "/tiers/standard").put("max_output_tokens", 0);
        });

        RoutingConfigException e = catchThrowableOfType(RoutingConfigException.class,
                () -> RoutingConfigLoader.parse(json, "SSM parameter /agent-tasks/routing"));

        assertThat(e.source()).isEqualTo("SSM parameter /agent-tasks/routing");
        assertThat(e).hasMessage("routing configuration SSM parameter /agent-tasks/routing is invalid (2 problems): "
                + "/tiers/simple/budget_tokens: is required; "
                + "/tiers/standard/max_output_tokens: must be from 1 to 2147483647, got 0");
    }

    @Test
    void theRootMustBeAnObjectWithItsThreeSections() {
        assertThat(problems("[1, 2]")).containsExactly("(root): must be a JSON object, got array [1,2]");
        assertThat(problems("{\"models\": {}, \"tiers\": {}, \"routing\": {}, \"extra\": 1}")).containsExactly(
                "/extra: unknown field (allowed: models, routing, tiers)");
        assertThat(problems("{\"models\": {}, \"tiers\": {}, \"routing\": {\"default_tier\": \"x\"}}"))
                .containsExactly("/models: must name at least one model", "/tiers: must name at least one tier",
                        "/routing/default_tier: names no tier under /tiers: \"x\"");
    }

    /** {@link #GOOD} changed by {@code change}. */
    static String edit(Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) MAPPER.readTree(GOOD);
            change.accept(root);
            return MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode object(ObjectNode root, String pointer) {
        return (ObjectNode) root.at(pointer);
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private static List<String> problems(String json) {
        return problems(json, "test");
    }

    private static List<String> problems(String json, String source) {
        RoutingConfigException e = catchThrowableOfType(RoutingConfigException.class,
                () -> RoutingConfigLoader.parse(json, source));
        assertThat(e).as("a problem is reported").isNotNull();
        assertThat(e.getMessage()).startsWith("routing configuration " + source + " is invalid");
        return e.problems();
    }
}
