package dev.sluice.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Comparator;

/** Prints meters the way README's Telemetry section shows them (copied from a test run). */
final class PrintedMeters {
  private PrintedMeters() {}

  static void print(MeterRegistry registry) {
    StringBuilder b = new StringBuilder("--- example meters ---\n");
    registry.getMeters().stream().sorted(Comparator.comparing((Meter m) -> m.getId().getName())
        .thenComparing(m -> m.getId().getTags().toString())).forEach(m -> {
          b.append(m.getId().getName()).append(' ').append(m.getId().getTags()).append(' ');
          m.measure().forEach(x -> b.append(x.getStatistic().getTagValueRepresentation())
              .append('=').append(x.getValue()).append(' '));
          b.append('\n');
        });
    System.out.print(b);
  }
}
