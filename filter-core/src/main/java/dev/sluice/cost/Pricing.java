package dev.sluice.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Prices Anthropic usage in USD from a table: the one shipped with Sluice, optionally overlaid by
 * a file (same format, entries replace the shipped ones by model name). Immutable, thread-safe.
 */
public final class Pricing {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private record Rates(double input, double output, double cacheWrite5m, double cacheWrite1h,
      double cacheRead) {}

  private final Map<String, Rates> models;
  private final double webSearchPer1k;

  private Pricing(Map<String, Rates> models, double webSearchPer1k) {
    this.models = Map.copyOf(models);
    this.webSearchPer1k = webSearchPer1k;
  }

  /** The shipped table. */
  public static Pricing defaults() {
    try (InputStream in = Pricing.class.getResourceAsStream("pricing.json")) {
      Map<String, Rates> models = new HashMap<>();
      double search = read(MAPPER.readTree(in), models, 0);
      return new Pricing(models, search);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The shipped table overlaid with {@code file}; fails when the file cannot be read. */
  public static Pricing withOverrides(Path file) throws IOException {
    Pricing base = defaults();
    Map<String, Rates> models = new HashMap<>(base.models);
    double search = read(MAPPER.readTree(Files.readAllBytes(file)), models, base.webSearchPer1k);
    return new Pricing(models, search);
  }

  private static double read(JsonNode table, Map<String, Rates> into, double search) {
    table.path("models").fields().forEachRemaining(e -> {
      JsonNode r = e.getValue();
      into.put(e.getKey(), new Rates(r.path("input").asDouble(), r.path("output").asDouble(),
          r.path("cache_write_5m").asDouble(), r.path("cache_write_1h").asDouble(),
          r.path("cache_read").asDouble()));
    });
    return table.has("web_search_per_1k") ? table.path("web_search_per_1k").asDouble() : search;
  }

  /** True when {@code model} (or a prefix of it) has a price. */
  public boolean knows(String model) {
    return rates(model) != null;
  }

  /**
   * The cost of {@code usage} (an Anthropic usage object, merged) for {@code model}; {@code NaN}
   * when the model has no price. Thinking tokens are part of {@code output_tokens}: counted once.
   */
  public double cost(String model, JsonNode usage) {
    Rates r = rates(model);
    if (r == null) {
      return Double.NaN;
    }
    double perToken = 1e-6;
    double cost = usage.path("input_tokens").asDouble() * r.input * perToken
        + usage.path("output_tokens").asDouble() * r.output * perToken
        + usage.path("cache_read_input_tokens").asDouble() * r.cacheRead * perToken;
    JsonNode split = usage.path("cache_creation");
    if (split.isObject() && (split.has("ephemeral_5m_input_tokens")
        || split.has("ephemeral_1h_input_tokens"))) {
      cost += split.path("ephemeral_5m_input_tokens").asDouble() * r.cacheWrite5m * perToken
          + split.path("ephemeral_1h_input_tokens").asDouble() * r.cacheWrite1h * perToken;
    } else {
      cost += usage.path("cache_creation_input_tokens").asDouble() * r.cacheWrite5m * perToken;
    }
    cost += usage.path("server_tool_use").path("web_search_requests").asDouble()
        * webSearchPer1k / 1000;
    return cost;
  }

  private Rates rates(String model) {
    Rates exact = models.get(model);
    if (exact != null) {
      return exact;
    }
    String best = null;
    for (String name : models.keySet()) {
      if (model.startsWith(name) && (best == null || name.length() > best.length())) {
        best = name;
      }
    }
    return best == null ? null : models.get(best);
  }
}
