package dev.sluice.micrometer;

import dev.sluice.hook.Attempt;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookSettings;
import dev.sluice.hook.Outcome;
import dev.sluice.hook.Timings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code micrometer}: Sluice's exchanges as Micrometer meters, from {@link #onArrival} (the
 * in-flight gauge) and {@link #onComplete} (everything else); no work per event.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><td>{@code sluice.exchanges}</td><td>counter</td><td>model, outcome, status</td></tr>
 *   <tr><td>{@code sluice.client.cancelled}</td><td>counter</td><td>model</td></tr>
 *   <tr><td>{@code sluice.duration}</td><td>timer, percentile histogram</td><td>model, outcome</td></tr>
 *   <tr><td>{@code sluice.ttft}</td><td>timer, percentile histogram</td><td>model</td></tr>
 *   <tr><td>{@code sluice.tokens}</td><td>counter</td><td>model, type (input, output,
 *       cache_read, cache_creation)</td></tr>
 *   <tr><td>{@code sluice.cost}</td><td>counter, USD</td><td>model</td></tr>
 *   <tr><td>{@code sluice.exchanges.active}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code sluice.upstream.attempts}</td><td>counter, with failover or retries</td>
 *       <td>upstream (a configured entry's host), ending, status</td></tr>
 * </table>
 *
 * <p>Tags are bounded: {@code model} (the requested model; past 100 distinct names
 * {@code other}), {@code outcome} (lowercase {@link Outcome}), {@code status} (the class of the
 * status the client received: {@code 2xx}, {@code 4xx}, {@code 5xx}, or {@code none}). Never a
 * key, a user or a request id.
 *
 * <p>Which registry: the one given to {@link #MicrometerHook(MeterRegistry)} (code, Spring Boot's
 * {@code MeterRegistry} bean), or, for the no-argument constructor ServiceLoader uses, {@link
 * #defaultRegistry()} as it is when the filter starts: {@link Metrics#globalRegistry} unless
 * {@link #setDefaultRegistry} changed it.
 */
public final class MicrometerHook implements Hook {
  private static final AtomicReference<MeterRegistry> DEFAULT =
      new AtomicReference<>(Metrics.globalRegistry);

  private final MeterRegistry given;
  private volatile Meters meters;

  /** For ServiceLoader: {@link #defaultRegistry()}, taken when the filter starts. */
  public MicrometerHook() {
    this.given = null;
  }

  /** For code and frameworks: exactly this registry. */
  public MicrometerHook(MeterRegistry registry) {
    this.given = Objects.requireNonNull(registry, "registry == null");
  }

  /**
   * The registry hooks made with the no-argument constructor (the ones {@code web.xml} and
   * ServiceLoader make) register in; set it before the filter starts.
   */
  public static void setDefaultRegistry(MeterRegistry registry) {
    DEFAULT.set(Objects.requireNonNull(registry, "registry == null"));
  }

  /** {@link Metrics#globalRegistry} unless {@link #setDefaultRegistry} changed it. */
  public static MeterRegistry defaultRegistry() {
    return DEFAULT.get();
  }

  /** The registry this hook's meters are in (for the no-argument constructor: from start on). */
  public MeterRegistry registry() {
    return meters().registry;
  }

  @Override
  public String name() {
    return "micrometer";
  }

  @Override
  public void configure(HookSettings settings) {
    meters = new Meters(given != null ? given : DEFAULT.get());
  }

  private Meters meters() {
    Meters m = meters;
    if (m == null) { // used without configure
      m = new Meters(given != null ? given : DEFAULT.get());
      meters = m;
    }
    return m;
  }

  @Override
  public void onArrival(Map<String, Object> attributes) {
    meters().active.incrementAndGet();
  }

  @Override
  public void onComplete(ExchangeRecord r) {
    Meters m = meters();
    m.active.decrementAndGet();
    m.record(r);
  }

  @Override
  public String toString() {
    return "MicrometerHook{" + meters().registry.getClass().getSimpleName() + "}";
  }

  /** The registry's meters for one hook. */
  static final class Meters {
    /**
     * One in-flight count per registry: a gauge is registered once, so hooks of several filters
     * in one registry (two web apps, two mappings) must share the number it reads.
     */
    private static final Map<MeterRegistry, AtomicInteger> ACTIVE =
        java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    final MeterRegistry registry;
    final AtomicInteger active;
    private final ModelTags models = new ModelTags();

    Meters(MeterRegistry registry) {
      this.registry = registry;
      this.active = ACTIVE.computeIfAbsent(registry, r -> new AtomicInteger());
      Gauge.builder("sluice.exchanges.active", active, AtomicInteger::get)
          .description("Exchanges in flight").register(registry);
    }

    void record(ExchangeRecord r) {
      String model = models.tag(r.model());
      String outcome = r.outcome().name().toLowerCase(Locale.ROOT);
      if (r.outcome() == Outcome.CLIENT_CANCELLED) {
        Counter.builder("sluice.client.cancelled")
            .description("Exchanges the client left before the end").tag("model", model)
            .register(registry).increment();
      }
      Timings t = r.timings();
      if (t.endNanos() >= 0) {
        Timer.builder("sluice.duration").description("From arrival to the response's end")
            .tags("model", model, "outcome", outcome).publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofMinutes(20))
            .register(registry).record(t.endNanos(), TimeUnit.NANOSECONDS);
      }
      if (t.firstContentNanos() >= 0) {
        Timer.builder("sluice.ttft").description("Time to the first content delta")
            .tag("model", model).publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(registry).record(t.firstContentNanos(), TimeUnit.NANOSECONDS);
      }
      tokens(model, "input", r.usage().path("input_tokens").asLong());
      tokens(model, "output", r.usage().path("output_tokens").asLong());
      tokens(model, "cache_read", r.usage().path("cache_read_input_tokens").asLong());
      tokens(model, "cache_creation", r.usage().path("cache_creation_input_tokens").asLong());
      if (!Double.isNaN(r.cost())) {
        Counter.builder("sluice.cost").baseUnit("usd").description("Cost from the pricing table")
            .tag("model", model).register(registry).increment(r.cost());
      }
      for (Attempt a : r.attempts()) {
        Counter.builder("sluice.upstream.attempts")
            .description("Tries at upstream entries, with failover or retries")
            .tags("upstream", a.upstream(), "ending", a.ending().name().toLowerCase(Locale.ROOT),
                "status", statusClass(a.status()))
            .register(registry).increment();
      }
      // Last, so that a reader who sees the exchange counted sees the rest of it too.
      Counter.builder("sluice.exchanges").description("Exchanges, by how they ended")
          .tags("model", model, "outcome", outcome, "status", statusClass(r.status()))
          .register(registry).increment();
    }

    private void tokens(String model, String type, long n) {
      if (n > 0) {
        Counter.builder("sluice.tokens").baseUnit("tokens").description("Tokens, by type")
            .tags("model", model, "type", type).register(registry).increment(n);
      }
    }

    static String statusClass(int status) {
      return status < 100 || status > 599 ? "none" : (status / 100) + "xx";
    }
  }
}
