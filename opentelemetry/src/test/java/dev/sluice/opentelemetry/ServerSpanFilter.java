package dev.sluice.opentelemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * What the OpenTelemetry Java agent's servlet instrumentation does: a SERVER span made current
 * for the filter chain's call on the request thread (and only there), ended when the response
 * is, also after an async cycle.
 */
final class ServerSpanFilter implements Filter {
  private final Tracer tracer;

  ServerSpanFilter(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    Span server = tracer.spanBuilder("POST /v1/messages").setSpanKind(SpanKind.SERVER)
        .startSpan();
    try (Scope ignored = server.makeCurrent()) {
      chain.doFilter(req, res);
    }
    if (req.isAsyncStarted()) {
      req.getAsyncContext().addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          server.end();
        }

        @Override
        public void onTimeout(AsyncEvent event) {}

        @Override
        public void onError(AsyncEvent event) {
          server.end();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {}
      });
    } else {
      server.end();
    }
  }
}
