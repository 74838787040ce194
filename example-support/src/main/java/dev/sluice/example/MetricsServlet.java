package dev.sluice.example;

import dev.sluice.micrometer.MicrometerHook;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} of {@code --metrics}: the {@code micrometer} hook's meters in Prometheus's
 * text format. {@link #create()} makes the registry the default of hooks that ServiceLoader
 * makes ({@link MicrometerHook#setDefaultRegistry}), so it must run before the app starts.
 */
final class MetricsServlet extends HttpServlet {
  static final String PATH = "/metrics";
  private static final long serialVersionUID = 1L;

  private final transient PrometheusMeterRegistry registry;

  private MetricsServlet(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  static MetricsServlet create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerHook.setDefaultRegistry(registry);
    return new MetricsServlet(registry);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
    resp.setHeader("cache-control", "no-store");
    resp.getOutputStream().write(registry.scrape().getBytes(StandardCharsets.UTF_8));
  }
}
