package dev.sluice.micrometer;

import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Test stand-in for sluice-micrometer's hook (built on another branch): the shape
 * SluiceMetricsAutoConfiguration binds to, a {@code micrometer} hook with a public constructor
 * taking the registry. Once sluice-micrometer is in the build, delete this class and add it as a
 * test dependency of this module instead.
 */
public final class MicrometerHook implements Hook {
  public final MeterRegistry registry;

  public MicrometerHook(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public String name() {
    return "micrometer";
  }

  @Override
  public void onComplete(ExchangeRecord record) {
    registry.counter("sluice.exchanges").increment();
  }
}
