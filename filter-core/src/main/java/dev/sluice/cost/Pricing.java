package dev.sluice.cost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cost.PricingFile.Model;
import dev.sluice.cost.PricingFile.Rates;
import dev.sluice.cost.PricingFile.Tier;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prices Anthropic usage in USD, exactly, from a table: the one shipped with Sluice (checked
 * against Anthropic's pricing page on the date {@link #verified()} names), optionally overlaid by
 * a {@code pricing-file} in the same format whose entries replace the shipped ones by model name.
 * Thread-safe; the filter loads one at start and shares it with the hooks that price usage.
 *
 * <p>A model is priced by the entry whose name or alias it equals, or equals followed by a
 * snapshot date ({@code claude-sonnet-4-5-20250929} by {@code claude-sonnet-4-5}). Nothing else
 * matches, so one version never takes another's price: {@code claude-opus-4-6} is not {@code
 * claude-opus-4}. A model without an entry gets no cost, and one warning per model name.
 *
 * <p>What is priced, as the page bills it: input and output tokens (thinking is part of {@code
 * output_tokens}), cache reads, cache writes by lifetime ({@code
 * usage.cache_creation.ephemeral_5m_input_tokens} and {@code _1h_}; without that split, all of
 * {@code cache_creation_input_tokens} at the 5-minute rate), prompt-length tiers (a prompt over a
 * tier's threshold, counting cache reads and writes, prices every token of that request at the
 * tier's rates), fast mode ({@code usage.speed}: a multiple of every token rate, where the table
 * has one for that model and speed; else no cost) and server tools by request count ({@code
 * usage.server_tool_use}).
 */
public final class Pricing {
  private static final Logger LOG = LoggerFactory.getLogger(Pricing.class);
  private static final Pattern DATED = Pattern.compile("(.+)-\\d{8}");
  /** Model names come from clients: bound the set of names warned about, and each one logged. */
  private static final int MAX_WARNED = 1_000;
  private static final int MAX_NAME = 100;

  private final PricingFile table;
  private final Map<String, Model> byName = new HashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  private Pricing(PricingFile table) {
    this.table = table;
    table.models.forEach((name, m) -> {
      byName.put(name, m);
      m.aliases().forEach(a -> byName.putIfAbsent(a, m));
    });
  }

  /** The shipped table (parsed once per class loader). */
  public static Pricing defaults() {
    return new Pricing(Shipped.TABLE);
  }

  /** The shipped table overlaid with {@code file}; fails when the file cannot be read or used. */
  public static Pricing withOverrides(Path file) throws IOException {
    return new Pricing(Shipped.TABLE.overlaidBy(PricingFile.read(file)));
  }

  /**
   * The table for the {@code pricing-file} setting ({@code ""}: the shipped one), logged once at
   * info with its verified date and source: what the filter calls at start.
   */
  public static Pricing load(String pricingFile) throws IOException {
    Pricing p = pricingFile.isEmpty() ? defaults() : withOverrides(Path.of(pricingFile));
    LOG.info("Sluice pricing: {} models, table verified {} against {}{}", p.table.models.size(),
        p.verified(), p.source(), pricingFile.isEmpty() ? "" : ", overlaid by " + pricingFile);
    return p;
  }

  /** The date the shipped table was checked against {@link #source()}, as {@code YYYY-MM-DD}. */
  public String verified() {
    return table.verified;
  }

  /** The page the shipped table was taken from. */
  public String source() {
    return table.source;
  }

  /** True when {@code model} has a price. */
  public boolean knows(String model) {
    return model(model) != null;
  }

  /**
   * The cost in USD of {@code usage} (an Anthropic usage object, merged) for {@code model},
   * exact and without trailing zeros; empty, after one warning per model name, when the model has
   * no price. Never a guess.
   */
  public Optional<BigDecimal> cost(String model, JsonNode usage) {
    Model m = model(model);
    if (m == null) {
      warnOnce("'" + printable(model == null ? "" : model) + "'");
      return Optional.empty();
    }
    // Fast mode bills a multiple of every token rate; a speed without one in the table is unpriced.
    String speed = usage.path("speed").asText("");
    BigDecimal multiplier = BigDecimal.ONE;
    if (!speed.isEmpty() && !speed.equals("standard")) {
      multiplier = m.speeds().get(speed);
      if (multiplier == null) {
        warnOnce("'" + printable(model) + "' at speed '" + printable(speed) + "'");
        return Optional.empty();
      }
    }
    long input = tokens(usage, "input_tokens");
    long read = tokens(usage, "cache_read_input_tokens");
    long write5m;
    long write1h;
    JsonNode split = usage.path("cache_creation");
    if (split.has("ephemeral_5m_input_tokens") || split.has("ephemeral_1h_input_tokens")) {
      write5m = tokens(split, "ephemeral_5m_input_tokens");
      write1h = tokens(split, "ephemeral_1h_input_tokens");
    } else {
      write5m = tokens(usage, "cache_creation_input_tokens");
      write1h = 0;
    }
    Rates r = rates(m, input + read + write5m + write1h);
    BigDecimal cost = times(input, r.input())
        .add(times(tokens(usage, "output_tokens"), r.output()))
        .add(times(read, r.cacheRead()))
        .add(times(write5m, r.cacheWrite5m()))
        .add(times(write1h, r.cacheWrite1h()))
        .multiply(multiplier)
        .movePointLeft(6); // rates are per million tokens
    JsonNode tools = usage.path("server_tool_use");
    for (Map.Entry<String, BigDecimal> t : table.serverTools.entrySet()) {
      cost = cost.add(times(tokens(tools, t.getKey()), t.getValue()));
    }
    BigDecimal plain = cost.stripTrailingZeros();
    return Optional.of(plain.scale() < 0 ? plain.setScale(0) : plain);
  }

  private static Rates rates(Model m, long prompt) {
    Rates r = m.rates();
    for (Tier t : m.tiers()) { // ascending thresholds: the last one passed wins
      if (prompt > t.overPromptTokens()) {
        r = t.rates();
      }
    }
    return r;
  }

  private Model model(String name) {
    if (name == null) {
      return null;
    }
    Model m = byName.get(name);
    if (m != null) {
      return m;
    }
    Matcher dated = DATED.matcher(name);
    return dated.matches() ? byName.get(dated.group(1)) : null;
  }

  /** {@code what}: the model's name, quoted and made printable, and the speed if that is it. */
  private void warnOnce(String what) {
    if (warned.size() < MAX_WARNED && warned.add(what)) {
      LOG.warn("Sluice has no price for model {}: its exchanges get no cost{}", what,
          warned.size() == MAX_WARNED ? " (further unpriced models are not logged)" : "");
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < MAX_NAME; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return s.length() > MAX_NAME ? b + "..." : b.toString();
  }

  private static long tokens(JsonNode in, String field) {
    return Math.max(0, in.path(field).asLong());
  }

  private static BigDecimal times(long count, BigDecimal rate) {
    return count == 0 ? BigDecimal.ZERO : BigDecimal.valueOf(count).multiply(rate);
  }

  /** The shipped table, read when first used. */
  private static final class Shipped {
    static final PricingFile TABLE = PricingFile.shipped();
  }
}
