package dev.sluice.opentelemetry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.hook.Attempt;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Outcome;
import dev.sluice.hook.RequestContext;
import dev.sluice.hook.Timings;
import dev.sluice.hook.TurnRecord;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Starts an exchange's span from its request and ends it with what its record holds. */
final class Spans {
  private Spans() {}

  static Span start(Tracer tracer, Context parent, Instant start, RequestContext request,
      Attributes server, boolean captureContent) {
    SpanBuilder b = builder(tracer, parent, start, request.model(), server);
    long maxTokens = MaxTokens.of(request.rawBody());
    if (maxTokens >= 0) {
      b.setAttribute(GenAi.REQUEST_MAX_TOKENS, maxTokens);
    }
    b.setAttribute(GenAi.REQUEST_STREAM, request.stream());
    if (captureContent) {
      b.setAttribute(GenAi.INPUT_MESSAGES, request.messages().toString());
      JsonNode system = request.body().get("system");
      if (system != null) {
        b.setAttribute(GenAi.SYSTEM_INSTRUCTIONS,
            system.isTextual() ? system.asText() : system.toString());
      }
    }
    return b.startSpan();
  }

  private static SpanBuilder builder(Tracer tracer, Context parent, Instant start, String model,
      Attributes server) {
    SpanBuilder b = tracer.spanBuilder(model.isEmpty() ? GenAi.CHAT : GenAi.CHAT + " " + model)
        .setParent(parent)
        .setSpanKind(SpanKind.CLIENT)
        .setStartTimestamp(start)
        .setAttribute(GenAi.OPERATION_NAME, GenAi.CHAT)
        .setAttribute(GenAi.PROVIDER_NAME, GenAi.ANTHROPIC);
    if (!model.isEmpty()) {
      b.setAttribute(GenAi.REQUEST_MODEL, model);
    }
    return b.setAllAttributes(server);
  }

  /**
   * Ends the span {@link OpenTelemetryHook#onRequest} started; an exchange that never got there
   * (refused before its body was read, or a request hook rejected it first) gets one here.
   */
  static void end(Tracer tracer, ExchangeRecord r, Attributes server, boolean captureContent) {
    Timings t = r.timings();
    Span span = (Span) r.attributes().get(OpenTelemetryHook.SPAN);
    if (span == null) {
      Context parent = (Context) r.attributes().getOrDefault(OpenTelemetryHook.PARENT,
          Context.root());
      Instant start = (Instant) r.attributes().getOrDefault(OpenTelemetryHook.START, t.start());
      span = builder(tracer, parent, start, r.model(), server).startSpan();
    }
    Instant start = (Instant) r.attributes().getOrDefault(OpenTelemetryHook.START, t.start());
    span.setAllAttributes(responseAttributes(r));
    if (t.firstContentNanos() >= 0) {
      double seconds = t.firstContentNanos() / 1e9;
      span.setAttribute(GenAi.RESPONSE_TIME_TO_FIRST_CHUNK, seconds);
      span.addEvent("gen_ai.first_chunk", t.start().plusNanos(t.firstContentNanos()));
    }
    if (captureContent && !r.message().isEmpty()) {
      span.setAttribute(GenAi.OUTPUT_MESSAGES, r.message().toString());
    }
    turns(tracer, span, start, r, server);
    String error = errorType(r);
    if (error != null) {
      span.setAttribute(ErrorAttributes.ERROR_TYPE, error);
      span.setStatus(StatusCode.ERROR, r.outcome().name().toLowerCase(Locale.ROOT));
    }
    if (t.endNanos() >= 0) {
      span.end(later(t.start().plusNanos(t.endNanos()), start));
    } else {
      span.end();
    }
  }

  /**
   * One child span per assistant turn when follow-ups were made: each is a chat call of its own
   * upstream, with that turn's response attributes and usage (the parent carries the sums).
   */
  private static void turns(Tracer tracer, Span parent, Instant parentStart, ExchangeRecord r,
      Attributes server) {
    if (r.turns().isEmpty()) {
      return;
    }
    parent.setAttribute(GenAi.FOLLOW_UPS, (long) r.turns().size() - 1);
    Context context = Context.root().with(parent);
    for (TurnRecord turn : r.turns()) {
      Instant start = later(r.timings().start().plusNanos(turn.startNanos()), parentStart);
      Span child = builder(tracer, context, start, r.model(), server)
          .setAttribute(GenAi.ROUND, (long) turn.round()).startSpan();
      AttributesBuilder a = Attributes.builder();
      message(a, turn.message());
      usage(a, turn.usage());
      child.setAllAttributes(a.build());
      child.end(later(r.timings().start().plusNanos(turn.endNanos()), start));
    }
  }

  /** What the response told: models, id, finish reason, usage, and Sluice's outcome and cost. */
  static Attributes responseAttributes(ExchangeRecord r) {
    AttributesBuilder a = Attributes.builder();
    message(a, r.message());
    usage(a, r.usage());
    a.put(GenAi.OUTCOME, outcome(r));
    a.put(GenAi.PARTIAL, r.partial());
    if (!Double.isNaN(r.cost())) {
      a.put(GenAi.COST, r.cost());
    }
    if (!r.requestId().isEmpty()) {
      a.put(GenAi.REQUEST_ID, r.requestId());
    }
    if (r.status() > 0) {
      a.put(GenAi.STATUS, (long) r.status());
    }
    a.put(GenAi.PATH, r.path());
    if (!r.attempts().isEmpty()) {
      a.put(GenAi.ATTEMPTS, (long) r.attempts().size());
      Attempt relayed = r.attempts().get(r.attempts().size() - 1);
      a.put(GenAi.UPSTREAM, relayed.upstream());
    }
    return a.build();
  }

  private static void message(AttributesBuilder a, JsonNode m) {
    putText(a, GenAi.RESPONSE_MODEL, m.path("model"));
    putText(a, GenAi.RESPONSE_ID, m.path("id"));
    if (m.path("stop_reason").isTextual()) {
      a.put(GenAi.RESPONSE_FINISH_REASONS, List.of(m.path("stop_reason").asText()));
    }
  }

  private static void usage(AttributesBuilder a, JsonNode u) {
    if (u.has("input_tokens") || u.has("output_tokens")) {
      a.put(GenAi.USAGE_INPUT_TOKENS, inputTokens(u));
      a.put(GenAi.USAGE_OUTPUT_TOKENS, u.path("output_tokens").asLong());
    }
    if (u.has("cache_read_input_tokens")) {
      a.put(GenAi.USAGE_CACHE_READ_INPUT_TOKENS, u.path("cache_read_input_tokens").asLong());
    }
    if (u.has("cache_creation_input_tokens")) {
      a.put(GenAi.USAGE_CACHE_CREATION_INPUT_TOKENS,
          u.path("cache_creation_input_tokens").asLong());
    }
  }

  /**
   * The conventions' {@code gen_ai.usage.input_tokens} counts every input token, cached ones
   * too; Anthropic's {@code input_tokens} leaves out the cache reads and writes.
   */
  static long inputTokens(JsonNode usage) {
    return usage.path("input_tokens").asLong() + usage.path("cache_read_input_tokens").asLong()
        + usage.path("cache_creation_input_tokens").asLong();
  }

  static String outcome(ExchangeRecord r) {
    return r.outcome().name().toLowerCase(Locale.ROOT);
  }

  /**
   * {@code error.type}, low in cardinality: upstream's status for an error answer, {@code
   * stream_error} for an error event inside a 2xx stream, the outcome for failures and
   * timeouts; null for a completed exchange and for a client that went away (not an error of
   * the operation: {@code sluice.outcome} tells it apart).
   */
  static String errorType(ExchangeRecord r) {
    Outcome o = r.outcome();
    switch (o) {
      case COMPLETED:
      case CLIENT_CANCELLED:
        return null;
      case UPSTREAM_ERROR:
      case REJECTED:
        return r.status() >= 400 ? String.valueOf(r.status()) : "stream_error";
      default:
        return outcome(r);
    }
  }

  private static void putText(AttributesBuilder a, io.opentelemetry.api.common.AttributeKey<String>
      key, JsonNode value) {
    if (value.isTextual() && !value.asText().isEmpty()) {
      a.put(key, value.asText());
    }
  }

  /** {@code server.address} and {@code server.port} of the {@code upstream} setting. */
  static Attributes server(String upstream) {
    AttributesBuilder a = Attributes.builder();
    int comma = upstream.indexOf(',');
    String first = (comma < 0 ? upstream : upstream.substring(0, comma)).trim();
    URI uri;
    try {
      uri = first.isEmpty() ? null : URI.create(first);
    } catch (IllegalArgumentException e) {
      uri = null; // Sluice's own check of the setting reports it
    }
    if (uri != null && uri.getHost() != null) {
      a.put(ServerAttributes.SERVER_ADDRESS, uri.getHost());
      if (uri.getPort() > 0) {
        a.put(ServerAttributes.SERVER_PORT, (long) uri.getPort());
      }
    }
    return a.build();
  }

  /**
   * The record's clock started a few microseconds before the span's (taken at arrival): times
   * on it are kept inside the span.
   */
  private static Instant later(Instant a, Instant b) {
    return a.isBefore(b) ? b : a;
  }

  static double seconds(long nanos) {
    return nanos / (double) TimeUnit.SECONDS.toNanos(1);
  }
}
