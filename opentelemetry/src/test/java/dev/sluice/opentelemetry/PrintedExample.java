package dev.sluice.opentelemetry;

import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** Prints a span and metrics the way README's Telemetry section shows them (copied from a run). */
final class PrintedExample {
  private PrintedExample() {}

  static void print(SpanData span, Collection<MetricData> metrics) {
    StringBuilder b = new StringBuilder("--- example span ---\n");
    b.append(span.getName()).append(" (").append(span.getKind()).append(", parent ")
        .append(span.getParentSpanId()).append(")\n");
    Map<String, String> sorted = new TreeMap<>();
    span.getAttributes().forEach((k, v) -> sorted.put(k.getKey(), String.valueOf(v)));
    sorted.forEach((k, v) -> b.append("  ").append(k).append(" = ").append(v).append('\n'));
    span.getEvents().forEach(e -> b.append("  event ").append(e.getName()).append(" at +")
        .append((e.getEpochNanos() - span.getStartEpochNanos()) / 1_000_000.0).append(" ms\n"));
    b.append("--- example metrics ---\n");
    for (MetricData m : metrics) {
      b.append(m.getName()).append(" [").append(m.getUnit()).append(", ").append(m.getType())
          .append("]\n");
      m.getData().getPoints().forEach(p -> b.append("  ").append(p.getAttributes()).append(' ')
          .append(value(p)).append('\n'));
    }
    System.out.print(b);
  }

  private static String value(io.opentelemetry.sdk.metrics.data.PointData p) {
    if (p instanceof io.opentelemetry.sdk.metrics.data.HistogramPointData) {
      var h = (io.opentelemetry.sdk.metrics.data.HistogramPointData) p;
      return "count=" + h.getCount() + " sum=" + h.getSum();
    }
    if (p instanceof io.opentelemetry.sdk.metrics.data.LongPointData) {
      return "value=" + ((io.opentelemetry.sdk.metrics.data.LongPointData) p).getValue();
    }
    return p.toString();
  }
}
