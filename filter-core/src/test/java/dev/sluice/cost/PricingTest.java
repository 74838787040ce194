package dev.sluice.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.LogCapture;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PricingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pricing SHIPPED = Pricing.defaults();
  private static final String MILLION_IN_AND_OUT =
      "{\"input_tokens\":1000000,\"output_tokens\":1000000}";

  private static JsonNode usage(String json) throws Exception {
    return JSON.readTree(json);
  }

  /** The cost as the plain string a client sees. */
  private static String cost(Pricing p, String model, String usage) throws Exception {
    return p.cost(model, usage(usage)).map(BigDecimal::toPlainString).orElse("none");
  }

  @Test
  void shippedTable_namesItsVerifiedDateAndSource() {
    assertThat(SHIPPED.verified()).isEqualTo("2026-12-04");
    assertThat(SHIPPED.source()).isEqualTo("https://platform.claude.com/docs/en/about-claude/pricing");
  }

  @Test
  void load_logsTheVerifiedDateAndSourceOnce() throws Exception {
    try (LogCapture logs = LogCapture.start(Pricing.class.getName())) {
      Pricing.load("");
      assertThat(logs.lines().stream().filter(l -> l.contains("Sluice pricing:")))
          .singleElement().asString()
          .contains("INFO", "verified 2026-12-04", "platform.claude.com/docs/en/about-claude/pricing");
    }
  }

  /** The fallback priced these as claude-opus-4: $15/$75, three times too much. */
  @ParameterizedTest
  @ValueSource(strings = {"claude-opus-4-5", "claude-opus-4-6", "claude-opus-4-7",
      "claude-opus-4-8", "claude-opus-5"})
  void opus45AndLater_costFiveAndTwentyFive(String model) throws Exception {
    assertThat(cost(SHIPPED, model, MILLION_IN_AND_OUT)).isEqualTo("30");
  }

  @Test
  void currentFamilies_haveTheirOwnPrices() throws Exception {
    assertThat(cost(SHIPPED, "claude-opus-5-5", MILLION_IN_AND_OUT)).isEqualTo("24");
    assertThat(cost(SHIPPED, "claude-sonnet-5", MILLION_IN_AND_OUT)).isEqualTo("12");
    assertThat(cost(SHIPPED, "claude-sonnet-5-5", MILLION_IN_AND_OUT)).isEqualTo("12");
    assertThat(cost(SHIPPED, "claude-sonnet-4-6", MILLION_IN_AND_OUT)).isEqualTo("18");
    assertThat(cost(SHIPPED, "claude-haiku-4-5", MILLION_IN_AND_OUT)).isEqualTo("6");
    assertThat(cost(SHIPPED, "claude-fable-5-1", MILLION_IN_AND_OUT)).isEqualTo("60");
    assertThat(cost(SHIPPED, "claude-mythos-5-2", MILLION_IN_AND_OUT)).isEqualTo("48");
    // Fable 5 and 5.1 differ only in what a cache hit costs.
    String hits = "{\"cache_read_input_tokens\":1000000}";
    assertThat(cost(SHIPPED, "claude-fable-5", hits)).isEqualTo("1");
    assertThat(cost(SHIPPED, "claude-fable-5-1", hits)).isEqualTo("0.25");
    assertThat(cost(SHIPPED, "claude-opus-5-5", hits)).isEqualTo("0.2");
  }

  @Test
  void datedIds_arePricedByTheirFamily_andAliasesByTheirModel() throws Exception {
    assertThat(cost(SHIPPED, "claude-sonnet-4-5-20250929", MILLION_IN_AND_OUT))
        .isEqualTo(cost(SHIPPED, "claude-sonnet-4-5", MILLION_IN_AND_OUT)).isEqualTo("18");
    assertThat(cost(SHIPPED, "claude-haiku-4-5-20251001", MILLION_IN_AND_OUT)).isEqualTo("6");
    assertThat(cost(SHIPPED, "claude-opus-4-5-20251101", MILLION_IN_AND_OUT)).isEqualTo("30");
    assertThat(cost(SHIPPED, "claude-opus-4-20250514", MILLION_IN_AND_OUT)).isEqualTo("90");
    assertThat(cost(SHIPPED, "claude-opus-4-0", MILLION_IN_AND_OUT)).isEqualTo("90");
    assertThat(cost(SHIPPED, "claude-sonnet-4-0", MILLION_IN_AND_OUT)).isEqualTo("18");
  }

  @Test
  void noVersionInheritsAnothersPrice(@TempDir Path dir) throws Exception {
    // Opus 4 and 4.1 cost the same today: make them differ to see which entry prices what.
    Path file = dir.resolve("pricing.json");
    Files.writeString(file, "{\"models\": {\"claude-opus-4\": {\"input\": 1, \"output\": 1}}}");
    Pricing p = Pricing.withOverrides(file);
    assertThat(cost(p, "claude-opus-4-20250514", MILLION_IN_AND_OUT)).isEqualTo("2");
    assertThat(cost(p, "claude-opus-4-1-20250805", MILLION_IN_AND_OUT)).isEqualTo("90");
    assertThat(cost(p, "claude-opus-4-1", MILLION_IN_AND_OUT)).isEqualTo("90");
    assertThat(cost(p, "claude-opus-4-5", MILLION_IN_AND_OUT)).isEqualTo("30");
    // An id that is a priced family plus anything but a date has no price.
    for (String model : List.of("claude-opus-4-9", "claude-opus-5-9", "claude-sonnet-4-5-2025",
        "claude-sonnet-4-5-preview", "claude-sonnet-4-5-20250929-v2", "claude-opus",
        "claude-haiku-5-5-20261007x", "xclaude-opus-4-6")) {
      assertThat(p.knows(model)).as(model).isFalse();
      assertThat(p.cost(model, usage(MILLION_IN_AND_OUT))).as(model).isEmpty();
    }
  }

  @Test
  void unknownModel_getsNoCost_andOneWarningPerName() throws Exception {
    Pricing p = Pricing.defaults();
    try (LogCapture logs = LogCapture.start()) {
      for (int i = 0; i < 3; i++) {
        assertThat(p.cost("claude-nova-1", usage(MILLION_IN_AND_OUT))).isEmpty();
        assertThat(p.cost("claude-nova-2\r\nINFO forged", usage(MILLION_IN_AND_OUT))).isEmpty();
        assertThat(p.cost(null, usage(MILLION_IN_AND_OUT))).isEmpty();
      }
      List<String> warnings = logs.lines().stream().filter(l -> l.contains("no price for model"))
          .toList();
      assertThat(warnings).hasSize(3);
      assertThat(warnings).anySatisfy(l -> assertThat(l).contains("WARN", "'claude-nova-1'"));
      assertThat(warnings).anySatisfy(l -> assertThat(l).contains("'claude-nova-2??INFO forged'"));
      assertThat(logs.text()).doesNotContain("\nINFO forged");
    }
  }

  /** Haiku 5.5: a prompt over 100,000 tokens, cache reads and writes included, is billed 5x. */
  @Test
  void haiku55_switchesTierAboveAHundredThousandPromptTokens_forEveryToken() throws Exception {
    // 60,000 input + 30,000 cache reads + 10,000 cache writes = 100,000: the lower rates.
    assertThat(cost(SHIPPED, "claude-haiku-5-5", "{\"input_tokens\":60000,"
        + "\"cache_read_input_tokens\":30000,\"cache_creation_input_tokens\":10000,"
        + "\"output_tokens\":1000}"))
        .isEqualTo("0.00805"); // 60000*0.10 + 30000*0.01 + 10000*0.125 + 1000*0.50, per MTok
    // One more input token: every token, output too, at the higher rates.
    assertThat(cost(SHIPPED, "claude-haiku-5-5", "{\"input_tokens\":60001,"
        + "\"cache_read_input_tokens\":30000,\"cache_creation_input_tokens\":10000,"
        + "\"output_tokens\":1000}"))
        .isEqualTo("0.0402505"); // 60001*0.50 + 30000*0.05 + 10000*0.625 + 1000*2.50
    // 1-hour writes count toward the prompt too, and take the tier's 1-hour rate.
    assertThat(cost(SHIPPED, "claude-haiku-5-5-20261007", "{\"input_tokens\":1,"
        + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,"
        + "\"ephemeral_1h_input_tokens\":100000}}"))
        .isEqualTo("0.1000005"); // 1*0.50 + 100000*1.00
  }

  @Test
  void cacheWrites_arePricedByLifetime() throws Exception {
    // Sonnet 4.6: $3.75 per MTok for 5-minute writes, $6 for 1-hour writes.
    assertThat(cost(SHIPPED, "claude-sonnet-4-6", "{\"cache_creation_input_tokens\":3000,"
        + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,"
        + "\"ephemeral_1h_input_tokens\":2000}}"))
        .isEqualTo("0.01575");
    // Without the split, every write is a 5-minute one (the API's default lifetime).
    assertThat(cost(SHIPPED, "claude-sonnet-4-6", "{\"cache_creation_input_tokens\":3000}"))
        .isEqualTo("0.01125");
    assertThat(cost(SHIPPED, "claude-sonnet-4-6", "{\"cache_creation_input_tokens\":3000,"
        + "\"cache_creation\":{}}")).isEqualTo("0.01125");
  }

  @Test
  void everyUsageField_isCountedOnce_andServerToolsByRequest() throws Exception {
    // Sonnet 4.5: $3 in, $15 out, $3.75 5m write, $6 1h write, $0.30 read per MTok;
    // web search $10 per 1,000 requests; web fetch has no fee beyond its tokens.
    assertThat(cost(SHIPPED, "claude-sonnet-4-5-20250929", "{\"input_tokens\":1000000,"
        + "\"output_tokens\":1000000,\"cache_read_input_tokens\":1000000,"
        + "\"cache_creation_input_tokens\":3000000,\"cache_creation\":{"
        + "\"ephemeral_5m_input_tokens\":1000000,\"ephemeral_1h_input_tokens\":2000000},"
        + "\"server_tool_use\":{\"web_search_requests\":3,\"web_fetch_requests\":4}}"))
        .isEqualTo("34.08"); // 3 + 15 + 0.30 + 3.75 + 12 + 0.03
    assertThat(cost(SHIPPED, "claude-opus-4-6",
        "{\"server_tool_use\":{\"web_search_requests\":7}}")).isEqualTo("0.07");
    assertThat(cost(SHIPPED, "claude-opus-4-6", "{}")).isEqualTo("0");
  }

  /** Fast mode bills a multiple of every token rate: without one in the table, no cost. */
  @Test
  void fastMode_isPricedOnlyWithAMultiplierForThatModel(@TempDir Path dir) throws Exception {
    String fast = "{\"input_tokens\":1000000,\"output_tokens\":1000000,"
        + "\"cache_read_input_tokens\":1000000,\"speed\":\"fast\","
        + "\"server_tool_use\":{\"web_search_requests\":1}}";
    Pricing shipped = Pricing.defaults();
    try (LogCapture logs = LogCapture.start()) {
      assertThat(cost(shipped, "claude-opus-5-5", fast)).isEqualTo("none");
      assertThat(cost(shipped, "claude-opus-5-5", fast)).isEqualTo("none");
      assertThat(logs.lines().stream().filter(l -> l.contains("no price for model"))).singleElement()
          .asString().contains("'claude-opus-5-5' at speed 'fast'");
    }
    assertThat(cost(shipped, "claude-opus-5-5", fast.replace("fast", "standard")))
        .isEqualTo("24.21"); // 4 + 20 + 0.20 + 0.01
    Path file = dir.resolve("pricing.json");
    Files.writeString(file, "{\"models\": {\"claude-opus-5-5\": {\"input\": 4, \"output\": 20,"
        + " \"cache_write_5m\": 5, \"cache_write_1h\": 8, \"cache_read\": 0.20,"
        + " \"speeds\": {\"fast\": 2}}}}");
    assertThat(cost(Pricing.withOverrides(file), "claude-opus-5-5-20260922", fast))
        .isEqualTo("48.41"); // (4 + 20 + 0.20) * 2, and the search at its own price
  }

  /** In doubles 21 * 3e-6 + 10 * 15e-6 is 2.1299999999999997E-4. */
  @Test
  void costs_areExactDecimals() throws Exception {
    assertThat(cost(SHIPPED, "claude-sonnet-4-6", "{\"input_tokens\":21,\"output_tokens\":10}"))
        .isEqualTo("0.000213");
    assertThat(cost(SHIPPED, "claude-haiku-5-5", "{\"input_tokens\":1}")).isEqualTo("0.0000001");
    assertThat(cost(SHIPPED, "claude-haiku-4-5", "{\"input_tokens\":3,\"output_tokens\":1}"))
        .isEqualTo("0.000008");
  }

  @Test
  void pricingFile_overlaysTheShippedTable(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pricing.json");
    Files.writeString(file, "{\"server_tools\": {\"web_search_requests\": 0.02}, \"models\": {"
        + "\"my-finetune\": {\"input\": 1.0, \"output\": 2.0, \"aliases\": [\"mine\"]},"
        + "\"claude-sonnet-4-5\": {\"input\": 100.0, \"output\": 200.0, \"cache_read\": 7}}}");
    Pricing p = Pricing.withOverrides(file);
    assertThat(p.verified()).as("the shipped table's date").isEqualTo("2026-12-04");
    assertThat(cost(p, "my-finetune", MILLION_IN_AND_OUT)).isEqualTo("3");
    assertThat(cost(p, "mine", MILLION_IN_AND_OUT)).isEqualTo("3");
    assertThat(cost(p, "my-finetune-20260101", MILLION_IN_AND_OUT)).isEqualTo("3");
    assertThat(cost(p, "my-finetune-v2", MILLION_IN_AND_OUT)).isEqualTo("none");
    assertThat(cost(p, "claude-sonnet-4-5-20250929", "{\"output_tokens\":1000000}"))
        .isEqualTo("200");
    // Cache rates left out follow the page's multipliers of the input rate.
    assertThat(cost(p, "my-finetune", "{\"cache_creation\":{\"ephemeral_5m_input_tokens\":"
        + "1000000,\"ephemeral_1h_input_tokens\":1000000},\"cache_read_input_tokens\":1000000}"))
        .isEqualTo("3.35"); // 1.25 + 2 + 0.1
    assertThat(cost(p, "claude-sonnet-4-5", "{\"cache_read_input_tokens\":1000000}"))
        .isEqualTo("7");
    assertThat(cost(p, "claude-opus-4-5", "{\"output_tokens\":1000000}"))
        .as("not overridden: shipped price").isEqualTo("25");
    assertThat(cost(p, "claude-opus-4-5", "{\"server_tool_use\":{\"web_search_requests\":1000}}"))
        .isEqualTo("20");
  }

  @Test
  void pricingFile_inTheOlderFormat_stillWorks(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pricing.json");
    Files.writeString(file, "{\"web_search_per_1k\": 20.0, \"models\": {"
        + "\"claude-sonnet-4-5\": {\"input\": 100.0, \"output\": 200.0, \"cache_write_5m\": 1,"
        + " \"cache_write_1h\": 2, \"cache_read\": 3}}}");
    Pricing p = Pricing.withOverrides(file);
    assertThat(cost(p, "claude-sonnet-4-5", "{\"output_tokens\":1000000,"
        + "\"server_tool_use\":{\"web_search_requests\":1000}}")).isEqualTo("220");
  }

  @Test
  void pricingFile_thatCannotBeUsed_failsNamingWhatIsWrong(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> Pricing.withOverrides(dir.resolve("missing.json")))
        .isInstanceOf(NoSuchFileException.class);
    Path file = dir.resolve("pricing.json");
    for (String[] bad : new String[][] {
        {"{\"models\": {\"m\": {\"input\": 1}}}", "model m: \"output\" must be a number"},
        {"{\"models\": {\"m\": {\"input\": 1, \"output\": -2}}}", "\"output\" must be a number"},
        {"{\"models\": {\"m\": {\"input\": \"1\", \"output\": 2}}}", "\"input\" must be a number"},
        {"{\"models\": {\"m\": {\"input\": 1, \"output\": 2, \"cache_write5m\": 3}}}",
            "model m: unknown field \"cache_write5m\""},
        {"{\"modles\": {}}", "unknown field \"modles\""},
        {"{\"models\": {\"m\": {\"input\": 1, \"output\": 2, \"tiers\": [{\"input\": 1,"
            + " \"output\": 2}]}}}", "over_prompt_tokens must be a whole number"},
        {"[]", "is not a JSON object"}}) {
      Files.writeString(file, bad[0]);
      assertThatThrownBy(() -> Pricing.withOverrides(file)).as(bad[0])
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad[1]);
    }
  }
}
