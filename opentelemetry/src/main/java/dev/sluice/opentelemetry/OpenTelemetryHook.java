package dev.sluice.opentelemetry;

import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookSettings;
import dev.sluice.hook.RequestContext;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code opentelemetry}: one span per exchange, named {@code chat {model}} (kind CLIENT), with the
 * OpenTelemetry GenAI semantic conventions' attributes, plus the GenAI client metrics ({@code
 * gen_ai.client.token.usage}, {@code gen_ai.client.operation.duration}, {@code
 * gen_ai.client.operation.time_to_first_chunk}) and {@code sluice.exchanges} by outcome and
 * {@code sluice.exchanges.active}.
 *
 * <p>The span is a child of whatever context is current on the request's thread when the
 * exchange arrives ({@link #onArrival}): the server span of the OpenTelemetry Java agent, or of
 * any instrumentation that makes its span current around the filter chain. It starts then, and
 * ends when the client's response ended, with the usage on it; time to first content is the
 * attribute {@code gen_ai.response.time_to_first_chunk} and an event {@code gen_ai.first_chunk}.
 *
 * <p>Nothing is done per event: the hook reads the request's {@code max_tokens} from its raw
 * bytes in {@link #onRequest}, and everything else from the {@link ExchangeRecord}. Prompts and
 * completions are not recorded unless the setting {@code otel-capture-message-content} is {@code
 * true} (the GenAI conventions' opt-in); credentials never are.
 *
 * <p>Which {@link OpenTelemetry}: the one given to {@link #OpenTelemetryHook(OpenTelemetry)}, or,
 * for the no-argument constructor ServiceLoader uses, {@link GlobalOpenTelemetry} as it is when
 * the filter starts (the agent sets it before the app runs; an SDK built in code must be
 * registered with {@code buildAndRegisterGlobal()} before the filter's {@code init}).
 */
public final class OpenTelemetryHook implements Hook {
  /** The setting that turns on message content capture ({@code true}; default {@code false}). */
  public static final String CAPTURE_CONTENT = "otel-capture-message-content";

  static final String PARENT = "opentelemetry.parent";
  static final String START = "opentelemetry.start";
  static final String SPAN = "opentelemetry.span";

  private final Supplier<OpenTelemetry> source;
  private volatile Telemetry telemetry;
  private volatile boolean captureContent;
  private volatile Attributes server = Attributes.empty();

  /** For ServiceLoader: {@link GlobalOpenTelemetry}, taken when the filter starts. */
  public OpenTelemetryHook() {
    this.source = GlobalOpenTelemetry::get;
  }

  /** For code and frameworks: exactly this {@code OpenTelemetry} (an SDK, or the agent's). */
  public OpenTelemetryHook(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry == null");
    this.source = () -> openTelemetry;
  }

  @Override
  public String name() {
    return "opentelemetry";
  }

  @Override
  public void configure(HookSettings settings) {
    String capture = settings.get(CAPTURE_CONTENT).trim();
    if (!capture.isEmpty() && !capture.equals("true") && !capture.equals("false")) {
      throw new IllegalArgumentException("Invalid Sluice setting '" + CAPTURE_CONTENT
          + "': expected true or false, got '" + capture + "'");
    }
    captureContent = capture.equals("true");
    server = Spans.server(settings.get("upstream"));
    telemetry = new Telemetry(source.get());
  }

  private Telemetry telemetry() {
    Telemetry t = telemetry;
    if (t == null) { // used without configure (a test, a framework that skips it)
      t = new Telemetry(source.get());
      telemetry = t;
    }
    return t;
  }

  /** On the request's thread: the parent context and the start time, before anything else. */
  @Override
  public void onArrival(Map<String, Object> attributes) {
    attributes.put(PARENT, Context.current());
    attributes.put(START, Instant.now());
    telemetry().arrived();
  }

  @Override
  public void onRequest(RequestContext request) {
    Map<String, Object> attributes = request.attributes();
    Context parent = (Context) attributes.getOrDefault(PARENT, Context.root());
    Instant start = (Instant) attributes.getOrDefault(START, Instant.now());
    attributes.put(SPAN, Spans.start(telemetry().tracer(), parent, start, request,
        server, captureContent));
  }

  @Override
  public void onComplete(ExchangeRecord record) {
    Telemetry t = telemetry();
    // Metrics first: whoever sees the span ended (a test, a trace view) finds them recorded.
    t.record(record, server, record.attributes().containsKey(PARENT));
    Spans.end(t.tracer(), record, server, captureContent);
  }

  @Override
  public String toString() {
    return "OpenTelemetryHook{capture-message-content=" + captureContent + "}";
  }
}
