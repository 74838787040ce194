package dev.sluice.testkit;

import dev.sluice.testkit.RecordedRequest.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the whole request without blocking, records it, picks a payload and starts an exchange. */
final class MockHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(MockUpstream.class);
  static final String MESSAGES = "/v1/messages";
  static final String COUNT_TOKENS = "/v1/messages/count_tokens";

  private final Consumer<RecordedRequest> recorder;
  private final Holds holds;
  private final Scheduler scheduler;
  private final Executor executor;
  private final Set<Exchange> live = ConcurrentHashMap.newKeySet();
  private volatile MockUpstream.Script script;
  private final java.util.concurrent.atomic.AtomicInteger scripted =
      new java.util.concurrent.atomic.AtomicInteger();

  MockHandler(
      Consumer<RecordedRequest> recorder, Holds holds, Scheduler scheduler, Executor executor) {
    this.recorder = recorder;
    this.holds = holds;
    this.scheduler = scheduler;
    this.executor = executor;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String requestId = ResponseHeaders.nextRequestId();
    // Unlimited size: tests push large bodies through a proxy on purpose.
    Content.Source.asByteArrayAsync(
        request,
        -1,
        Promise.Invocable.from(
            Invocable.InvocationType.BLOCKING,
            (byte[] body, Throwable failure) -> {
              if (failure != null) {
                bodyFailed(request, requestId, callback, failure);
              } else {
                respond(request, response, callback, requestId, body);
              }
            }));
    return true;
  }

  void script(MockUpstream.Script s) {
    scripted.set(0);
    script = s;
  }

  /** Responses being written now (started, not yet ended or aborted). */
  int liveExchanges() {
    return live.size();
  }

  /** Cuts every running exchange; used when the mock closes so no one awaits forever. */
  void abortAll(String reason) {
    for (Exchange e : live) {
      e.fail(new Exchange.MockAbort(reason));
    }
  }

  private void respond(
      Request request, Response response, Callback callback, String requestId, byte[] body) {
    Knobs knobs = Knobs.DEFAULT;
    Payload payload;
    try {
      route(request);
      knobs = Knobs.from(request.getHeaders());
      MockUpstream.Script s = script;
      if (s != null) {
        String chosen = s.scenario(scripted.getAndIncrement(), request.getHeaders()::get);
        if (chosen != null) {
          knobs = knobs.withScenario(chosen);
        }
      }
      payload = payload(request, knobs, body, requestId);
    } catch (MockRequestException e) {
      // A mistyped scenario must fail fast, not sit behind the delays or hold it also asked for.
      knobs = Knobs.DEFAULT;
      payload = ErrorBodies.of(e.status, e.errorType, e.getMessage(), requestId);
    }
    RecordedRequest record = record(request, body, requestId, payload.status());
    recorder.accept(record);
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} scenario={} -> {}", request.getMethod(), record.path(), knobs.scenario(),
          payload.status());
    }
    response.setStatus(payload.status());
    ResponseHeaders.apply(response.getHeaders(), requestId, payload);
    Exchange exchange =
        new Exchange(
            response, callback, payload, knobs, record, scheduler, executor, holds, live::remove);
    live.add(exchange);
    // Fires when Jetty notices the connection failed (a write failed, idle timeout).
    request.addFailureListener(exchange::fail);
    if (exchange.waits()) {
      EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
      exchange.watch(PeerCloseProbe.arm(endPoint, exchange::fail));
    }
    exchange.iterate();
  }

  private static void route(Request request) {
    String path = request.getHttpURI().getPath();
    if (!MESSAGES.equals(path) && !COUNT_TOKENS.equals(path)) {
      throw new MockRequestException(404, "not_found_error", "Not found: " + path);
    }
    if (!"POST".equals(request.getMethod())) {
      throw new MockRequestException(
          405,
          "invalid_request_error",
          "Method " + request.getMethod() + " not allowed on " + path);
    }
  }

  private static Payload payload(Request request, Knobs knobs, byte[] body, String requestId) {
    RequestBody parsed = RequestBody.parse(body);
    if (COUNT_TOKENS.equals(request.getHttpURI().getPath())) {
      return Scenarios.countTokens(knobs, body.length, requestId);
    }
    return Scenarios.messages(knobs, parsed.stream(), parsed.model(), requestId);
  }

  private void bodyFailed(Request request, String requestId, Callback callback, Throwable failure) {
    RecordedRequest record = record(request, BufferUtil.EMPTY_BYTES, requestId, 0);
    recorder.accept(record);
    record.end(Outcome.CLIENT_CLOSED_EARLY);
    callback.failed(failure);
  }

  private static RecordedRequest record(
      Request request, byte[] body, String requestId, int status) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (HttpField f : request.getHeaders()) {
      headers.add(
          Map.entry(f.getName().toLowerCase(Locale.ROOT), Objects.toString(f.getValue(), "")));
    }
    return new RecordedRequest(
        request.getMethod(),
        request.getHttpURI().getPath(),
        request.getHttpURI().getQuery(),
        headers,
        body,
        requestId,
        status);
  }
}
