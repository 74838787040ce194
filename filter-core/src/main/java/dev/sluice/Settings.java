package dev.sluice;

import dev.sluice.failover.RetryPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link SluiceConfig} from named settings. A setting {@code idle-timeout} is looked up as the
 * system property {@code sluice.idle-timeout}, then the environment variable
 * {@code SLUICE_IDLE_TIMEOUT}, then the filter init-param {@code idle-timeout}, then the context
 * init-param {@code sluice.idle-timeout}: so a packaged WAR can be re-pointed without editing it.
 */
final class Settings {
  static final List<String> NAMES = List.of(
      "upstream", "connect-timeout", "headers-timeout", "request-hook-timeout", "idle-timeout",
      "max-request-bytes", "api-key", "hooks", "max-follow-ups", "pricing-file",
      "model-aliases", "legacy-pipeline", "keepalive-interval", "transport", "jdk-executor",
      "max-attempts", "retry-budget", "retry-statuses", "retry-backoff", "retry-backoff-max",
      "cooldown-max", "retry-gate", "retry-gate-bytes", Disconnects.SETTING);

  private static final Pattern DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

  /** One lookup per source, in priority order; each returns null when it has no value. */
  interface Source {
    /** Where {@code setting} comes from, for error messages: "system property sluice.upstream". */
    String describe(String setting);

    String get(String setting);
  }

  private final List<Source> sources;

  Settings(List<Source> sources) {
    this.sources = List.copyOf(sources);
  }

  static Source systemProperties() {
    return source(s -> "system property sluice." + s, s -> System.getProperty("sluice." + s));
  }

  static Source environment(Map<String, String> env) {
    return source(s -> "environment variable " + envName(s), s -> env.get(envName(s)));
  }

  static Source named(UnaryOperator<String> describe, UnaryOperator<String> lookup) {
    return source(describe, lookup);
  }

  static String envName(String setting) {
    return "SLUICE_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** Builds the config, or throws an {@link IllegalArgumentException} naming the bad setting. */
  SluiceConfig read() {
    SluiceConfig.Builder b = SluiceConfig.builder();
    apply("upstream", b::upstreams);
    apply("connect-timeout", v -> b.connectTimeout(parseDuration(v)));
    apply("headers-timeout", v -> b.headersTimeout(parseDuration(v)));
    apply("request-hook-timeout", v -> b.requestHookTimeout(parseDuration(v)));
    apply("idle-timeout", v -> b.idleTimeout(parseDuration(v)));
    apply("max-request-bytes", v -> b.maxRequestBytes(parseSize(v)));
    apply("api-key", b::apiKeys);
    apply("hooks", v -> b.hooks(Arrays.stream(v.split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList()));
    apply("max-follow-ups", v -> b.maxFollowUps(Integer.parseInt(v)));
    apply("pricing-file", b::pricingFile);
    apply("keepalive-interval", v -> b.keepaliveInterval(
        v.equalsIgnoreCase("off") ? Duration.ZERO : parseDuration(v)));
    apply("legacy-pipeline", v -> b.legacyPipeline(parseBoolean(v)));
    apply("transport", b::transport);
    b.retry(retry());
    return b.build();
  }

  private RetryPolicy retry() {
    RetryPolicy[] p = {RetryPolicy.DEFAULT};
    apply("max-attempts", v -> p[0] = p[0].withMaxAttempts(Integer.parseInt(v)));
    apply("retry-budget", v -> p[0] = p[0].withBudget(parseDuration(v)));
    apply("retry-statuses", v -> p[0] = p[0].withStatuses(Arrays.stream(v.split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf)
        .collect(java.util.stream.Collectors.toSet())));
    apply("retry-backoff", v -> p[0] = p[0].withBackoff(parseDuration(v), p[0].backoffMax()));
    apply("retry-backoff-max", v -> p[0] = p[0].withBackoff(p[0].backoff(), parseDuration(v)));
    apply("cooldown-max", v -> p[0] = p[0].withCooldownMax(parseDuration(v)));
    apply("retry-gate", v -> p[0] = p[0].withGate(
        v.equalsIgnoreCase("off") ? Duration.ZERO : parseDuration(v), p[0].gateBytes()));
    apply("retry-gate-bytes", v -> p[0] = p[0].withGate(p[0].gate(), parseSize(v)));
    return p[0];
  }

  /** The first source's value of {@code setting}, or "". */
  String get(String setting) {
    for (Source source : sources) {
      String value = source.get(setting);
      if (value != null) {
        return value.trim();
      }
    }
    return "";
  }

  private void apply(String setting, java.util.function.Consumer<String> setter) {
    for (Source source : sources) {
      String value = source.get(setting);
      if (value == null) {
        continue;
      }
      try {
        setter.accept(value.trim());
      } catch (RuntimeException e) {
        String shown = setting.equals("api-key") || value.contains("api-key=") ? "(redacted)"
            : "'" + value + "'";
        throw new IllegalArgumentException("Invalid Sluice setting '" + setting + "' from "
            + source.describe(setting) + ": " + shown + " " + e.getMessage(), e);
      }
      return;
    }
  }

  /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, a bare number of milliseconds, or ISO-8601. */
  static Duration parseDuration(String v) {
    if (v.regionMatches(true, 0, "PT", 0, 2)) {
      return Duration.parse(v);
    }
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException("is not a duration like 500ms, 30s, 10m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
    switch (unit) {
      case "ms": return Duration.ofMillis(n);
      case "s": return Duration.ofSeconds(n);
      case "m": return Duration.ofMinutes(n);
      default: return Duration.ofHours(n);
    }
  }

  /** A byte count, optionally with a {@code KiB}/{@code MiB} (or {@code k}/{@code m}) suffix. */
  static long parseSize(String v) {
    Matcher m = Pattern.compile("(\\d+)\\s*(k|kb|kib|m|mb|mib)?", Pattern.CASE_INSENSITIVE)
        .matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException("is not a size like 1048576, 512KiB or 32MiB");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    return unit.isEmpty() ? n : unit.startsWith("k") ? n * 1024 : n * 1024 * 1024;
  }

  static boolean parseBoolean(String v) {
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("is not true or false");
  }

  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }

  private static Source source(UnaryOperator<String> describe, UnaryOperator<String> lookup) {
    return new Source() {
      @Override
      public String describe(String setting) {
        return describe.apply(setting);
      }

      @Override
      public String get(String setting) {
        String v = lookup.apply(setting);
        return v == null || v.isBlank() ? null : v;
      }
    };
  }
}
