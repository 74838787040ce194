package dev.sluice.opentelemetry;

import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Timings;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.semconv.ErrorAttributes;

/** The tracer and the instruments of one hook, built once. */
final class Telemetry {
  static final String SCOPE = "dev.sluice.opentelemetry";

  private final Tracer tracer;
  private final LongHistogram tokens;
  private final DoubleHistogram duration;
  private final DoubleHistogram firstChunk;
  private final LongCounter exchanges;
  private final LongUpDownCounter active;
  private final Attributes base = Attributes.of(GenAi.OPERATION_NAME, GenAi.CHAT,
      GenAi.PROVIDER_NAME, GenAi.ANTHROPIC);

  Telemetry(OpenTelemetry otel) {
    tracer = otel.getTracer(SCOPE);
    Meter meter = otel.getMeter(SCOPE);
    tokens = meter.histogramBuilder(GenAi.TOKEN_USAGE).ofLongs().setUnit("{token}")
        .setDescription("Number of input and output tokens used.")
        .setExplicitBucketBoundariesAdvice(GenAi.TOKEN_BUCKETS).build();
    duration = meter.histogramBuilder(GenAi.OPERATION_DURATION).setUnit("s")
        .setDescription("GenAI operation duration.")
        .setExplicitBucketBoundariesAdvice(GenAi.SECONDS_BUCKETS).build();
    firstChunk = meter.histogramBuilder(GenAi.TIME_TO_FIRST_CHUNK).setUnit("s")
        .setDescription("Time to receive the first chunk of content in the response stream.")
        .setExplicitBucketBoundariesAdvice(GenAi.SECONDS_BUCKETS).build();
    exchanges = meter.counterBuilder(GenAi.EXCHANGES).setUnit("{exchange}")
        .setDescription("Exchanges relayed by Sluice, by outcome (client_cancelled apart from "
            + "completed).").build();
    active = meter.upDownCounterBuilder(GenAi.ACTIVE).setUnit("{exchange}")
        .setDescription("Exchanges in flight.").build();
  }

  Tracer tracer() {
    return tracer;
  }

  void arrived() {
    active.add(1, base);
  }

  void record(ExchangeRecord r, Attributes server, boolean arrived) {
    if (arrived) {
      active.add(-1, base);
    }
    AttributesBuilder b = base.toBuilder();
    if (!r.model().isEmpty()) {
      b.put(GenAi.REQUEST_MODEL, r.model());
    }
    String responseModel = r.message().path("model").asText("");
    if (!responseModel.isEmpty()) {
      b.put(GenAi.RESPONSE_MODEL, responseModel);
    }
    Attributes common = b.putAll(server).build();
    Timings t = r.timings();
    String error = Spans.errorType(r);
    if (t.endNanos() >= 0) {
      duration.record(Spans.seconds(t.endNanos()), error == null ? common
          : common.toBuilder().put(ErrorAttributes.ERROR_TYPE, error).build());
    }
    if (t.firstContentNanos() >= 0) {
      firstChunk.record(Spans.seconds(t.firstContentNanos()), common);
    }
    if (r.usage().has("input_tokens") || r.usage().has("output_tokens")) {
      tokens.record(Spans.inputTokens(r.usage()),
          common.toBuilder().put(GenAi.TOKEN_TYPE, GenAi.INPUT).build());
      tokens.record(r.usage().path("output_tokens").asLong(),
          common.toBuilder().put(GenAi.TOKEN_TYPE, GenAi.OUTPUT).build());
    }
    AttributesBuilder outcome = base.toBuilder().put(GenAi.OUTCOME, Spans.outcome(r));
    if (!r.model().isEmpty()) {
      outcome.put(GenAi.REQUEST_MODEL, r.model());
    }
    exchanges.add(1, outcome.build());
  }
}
