package dev.sluice.cost;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a pricing table (the shipped {@code pricing.json} or a {@code pricing-file} in the same
 * format) into exact decimals. Strict: an unknown field, a missing or negative rate fails start
 * with a message naming the model, since a typo would otherwise price silently wrong.
 */
final class PricingFile {
  /** Floats as {@link BigDecimal}: {@code 0.10} stays 0.10, not the double nearest to it. */
  private static final ObjectMapper READER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
  private static final Set<String> TOP = Set.of("verified", "source", "_comment", "server_tools",
      "models", "web_search_per_1k");
  private static final Set<String> MODEL_FIELDS = Set.of("input", "output", "cache_write_5m",
      "cache_write_1h", "cache_read", "aliases", "tiers", "speeds", "_comment");
  private static final Set<String> TIER_FIELDS = Set.of("over_prompt_tokens", "input", "output",
      "cache_write_5m", "cache_write_1h", "cache_read");

  /** Per-million-token rates of one price band. */
  record Rates(BigDecimal input, BigDecimal output, BigDecimal cacheWrite5m,
      BigDecimal cacheWrite1h, BigDecimal cacheRead) {}

  /** A band that applies when the prompt is over {@code overPromptTokens}. */
  record Tier(long overPromptTokens, Rates rates) {}

  /**
   * One model's price: its base rates, its tiers by ascending threshold, its other names, and the
   * multiplier of every rate at each {@code usage.speed} other than {@code standard}.
   */
  record Model(Rates rates, List<Tier> tiers, List<String> aliases,
      Map<String, BigDecimal> speeds) {}

  final String verified;
  final String source;
  final Map<String, Model> models;
  /** USD per request, by {@code usage.server_tool_use} field. */
  final Map<String, BigDecimal> serverTools;

  private PricingFile(String verified, String source, Map<String, Model> models,
      Map<String, BigDecimal> serverTools) {
    this.verified = verified;
    this.source = source;
    this.models = models;
    this.serverTools = serverTools;
  }

  static PricingFile shipped() {
    try (InputStream in = PricingFile.class.getResourceAsStream("pricing.json")) {
      return parse(READER.readTree(in), "the shipped pricing.json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PricingFile read(Path file) throws IOException {
    return parse(READER.readTree(Files.readAllBytes(file)), file.toString());
  }

  /** This table with {@code over}'s models and server tools replacing its own by name. */
  PricingFile overlaidBy(PricingFile over) {
    Map<String, Model> m = new LinkedHashMap<>(models);
    m.putAll(over.models);
    Map<String, BigDecimal> t = new LinkedHashMap<>(serverTools);
    t.putAll(over.serverTools);
    return new PricingFile(verified, source, m, t);
  }

  private static PricingFile parse(JsonNode table, String where) {
    if (!table.isObject()) {
      throw new IllegalArgumentException(where + " is not a JSON object");
    }
    only(table, TOP, where);
    Map<String, Model> models = new LinkedHashMap<>();
    JsonNode m = table.path("models");
    if (!m.isMissingNode() && !m.isObject()) {
      throw new IllegalArgumentException(where + ": \"models\" is not an object");
    }
    m.fields().forEachRemaining(e -> models.put(e.getKey(),
        model(e.getValue(), where + ", model " + e.getKey())));
    Map<String, BigDecimal> tools = new LinkedHashMap<>();
    if (table.has("web_search_per_1k")) { // the format before server_tools
      tools.put("web_search_requests",
          rate(table, "web_search_per_1k", where).movePointLeft(3));
    }
    table.path("server_tools").fields().forEachRemaining(e ->
        tools.put(e.getKey(), rate(table.path("server_tools"), e.getKey(), where)));
    return new PricingFile(table.path("verified").asText(""), table.path("source").asText(""),
        Map.copyOf(models), Map.copyOf(tools));
  }

  private static Model model(JsonNode n, String where) {
    only(n, MODEL_FIELDS, where);
    List<Tier> tiers = new ArrayList<>();
    for (JsonNode t : n.path("tiers")) {
      String at = where + ", tier " + tiers.size();
      only(t, TIER_FIELDS, at);
      JsonNode over = t.path("over_prompt_tokens");
      if (!over.canConvertToExactIntegral() || over.asLong() < 0) {
        throw new IllegalArgumentException(at + ": over_prompt_tokens must be a whole number");
      }
      tiers.add(new Tier(over.asLong(), rates(t, at)));
    }
    tiers.sort(Comparator.comparingLong(Tier::overPromptTokens));
    List<String> aliases = new ArrayList<>();
    n.path("aliases").forEach(a -> aliases.add(a.asText()));
    Map<String, BigDecimal> speeds = new LinkedHashMap<>();
    n.path("speeds").fields().forEachRemaining(e ->
        speeds.put(e.getKey(), rate(n.path("speeds"), e.getKey(), where + ", speeds")));
    return new Model(rates(n, where), List.copyOf(tiers), List.copyOf(aliases),
        Map.copyOf(speeds));
  }

  /** Input and output are required; omitted cache rates follow the page's multipliers. */
  private static Rates rates(JsonNode n, String where) {
    BigDecimal input = rate(n, "input", where);
    return new Rates(input, rate(n, "output", where),
        n.has("cache_write_5m") ? rate(n, "cache_write_5m", where) : input.multiply(
            new BigDecimal("1.25")),
        n.has("cache_write_1h") ? rate(n, "cache_write_1h", where) : input.multiply(
            BigDecimal.valueOf(2)),
        n.has("cache_read") ? rate(n, "cache_read", where) : input.movePointLeft(1));
  }

  private static BigDecimal rate(JsonNode n, String field, String where) {
    JsonNode v = n.path(field);
    if (!v.isNumber() || v.decimalValue().signum() < 0) {
      throw new IllegalArgumentException(where + ": \"" + field
          + "\" must be a number of USD, 0 or more");
    }
    return v.decimalValue();
  }

  private static void only(JsonNode n, Set<String> allowed, String where) {
    if (!n.isObject()) {
      throw new IllegalArgumentException(where + " is not a JSON object");
    }
    n.fieldNames().forEachRemaining(f -> {
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException(where + ": unknown field \"" + f + "\"");
      }
    });
  }
}
