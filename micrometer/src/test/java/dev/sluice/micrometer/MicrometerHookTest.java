package dev.sluice.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.SluiceConfig;
import dev.sluice.SluiceFilter;
import dev.sluice.failover.UpstreamEntry;
import dev.sluice.hook.Hook;
import dev.sluice.testkit.MockUpstream;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hook in a real Jetty running Sluice against the mock upstream, into a SimpleMeterRegistry. */
class MicrometerHookTest {
  static final String KEY = "sk-ant-api03-secret-key-never-in-a-tag";
  static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  static MockUpstream mock;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  Server server;
  URI base;

  @BeforeAll
  static void startMock() {
    mock = MockUpstream.start();
  }

  @AfterAll
  static void stopMock() {
    mock.close();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    mock.reset();
  }

  void relay(Hook hook) throws Exception {
    relay(hook, SluiceConfig.builder().upstream(mock.baseUri()));
  }

  void relay(Hook hook, SluiceConfig.Builder config) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder sluice = new FilterHolder(new SluiceFilter(
        config.keepaliveInterval(Duration.ofMillis(100)).build(), List.of(hook)));
    sluice.setAsyncSupported(true);
    context.addFilter(sluice, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
    base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  HttpRequest.Builder request(String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
        .header("content-type", "application/json").header("x-api-key", KEY)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  int post(String body, String... headers) throws Exception {
    return http.send(request(body, headers).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 400 && !condition.getAsBoolean(); i++) {
      Thread.sleep(25);
    }
    assertThat(condition.getAsBoolean()).as("condition met within 10 s").isTrue();
  }

  double exchanges(MeterRegistry r, String outcome, String status) {
    var c = r.find("sluice.exchanges").tags("model", "claude-sonnet-4-5", "outcome", outcome,
        "status", status).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void completedStream_countsTimesTokensAndCost() throws Exception {
    relay(new MicrometerHook(registry));
    assertThat(post(STREAM)).isEqualTo(200);
    await(() -> exchanges(registry, "completed", "2xx") == 1);
    assertThat(registry.get("sluice.tokens").tags("model", "claude-sonnet-4-5", "type", "input")
        .counter().count()).isEqualTo(11);
    assertThat(registry.get("sluice.tokens").tags("type", "output").counter().count())
        .isEqualTo(12);
    assertThat(registry.find("sluice.tokens").tags("type", "cache_read").counter()).isNull();
    assertThat(registry.get("sluice.cost").counter().count())
        .isCloseTo((11 * 3.0 + 12 * 15.0) / 1e6, within(1e-12));
    Timer ttft = registry.get("sluice.ttft").tags("model", "claude-sonnet-4-5").timer();
    Timer duration = registry.get("sluice.duration").tags("outcome", "completed").timer();
    assertThat(ttft.count()).isEqualTo(1);
    assertThat(duration.count()).isEqualTo(1);
    assertThat(ttft.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
        .isLessThanOrEqualTo(duration.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS));
    assertThat(registry.get("sluice.exchanges.active").gauge().value()).isZero();
    assertThat(registry.find("sluice.client.cancelled").counter()).isNull();
    assertBoundedTags(registry);
    PrintedMeters.print(registry);
  }

  @Test
  void heldStream_isInFlightThenClientCancelledCountedApart() throws Exception {
    relay(new MicrometerHook(registry));
    HttpRequest held = request(STREAM, "x-mock-hold", "never-" + System.nanoTime()).build();
    try (InputStream in = http.send(held, HttpResponse.BodyHandlers.ofInputStream()).body()) {
      assertThat(in.readNBytes(20)).hasSize(20);
      assertThat(registry.get("sluice.exchanges.active").gauge().value()).isEqualTo(1);
    }
    await(() -> exchanges(registry, "client_cancelled", "2xx") == 1);
    assertThat(registry.get("sluice.client.cancelled").tag("model", "claude-sonnet-4-5")
        .counter().count()).isEqualTo(1);
    assertThat(exchanges(registry, "completed", "2xx")).isZero();
    assertThat(registry.get("sluice.exchanges.active").gauge().value()).isZero();
    assertThat(registry.get("sluice.tokens").tags("type", "input").counter().count())
        .isEqualTo(11); // message_start's usage, before the client left
  }

  /** Percentile histograms show as buckets in a registry that aggregates them (Prometheus). */
  @Test
  void timers_publishPercentileHistograms() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    relay(new MicrometerHook(prometheus));
    assertThat(post(STREAM)).isEqualTo(200);
    await(() -> prometheus.find("sluice.exchanges").counter() != null);
    String scrape = prometheus.scrape();
    assertThat(scrape).contains("sluice_duration_seconds_bucket{").contains("sluice_ttft_seconds_bucket{")
        .contains("sluice_exchanges_total{model=\"claude-sonnet-4-5\",outcome=\"completed\","
            + "status=\"2xx\"} 1.0");
    assertThat(scrape).doesNotContain("sk-ant");
  }

  @Test
  void upstreamError_statusClassAndOutcome() throws Exception {
    relay(new MicrometerHook(registry));
    assertThat(post(STREAM, "x-mock-scenario", "error_429")).isEqualTo(429);
    await(() -> exchanges(registry, "upstream_error", "4xx") == 1);
    assertThat(registry.find("sluice.ttft").timer()).isNull();
    assertThat(registry.get("sluice.duration").tags("outcome", "upstream_error").timer().count())
        .isEqualTo(1);
  }

  /** A dead first entry, then the mock: one attempt retried, one relayed, by upstream host. */
  @Test
  void failover_countsUpstreamAttemptsByEnding() throws Exception {
    relay(new MicrometerHook(registry), SluiceConfig.builder().upstreams(List.of(
        new UpstreamEntry(URI.create("http://127.0.0.1:1"), 0, 1, List.of()),
        new UpstreamEntry(mock.baseUri(), 1, 1, List.of()))));
    assertThat(post(STREAM)).isEqualTo(200);
    await(() -> exchanges(registry, "completed", "2xx") == 1);
    assertThat(registry.get("sluice.upstream.attempts").tags("upstream", "127.0.0.1:1",
        "ending", "retried", "status", "none").counter().count()).isEqualTo(1);
    assertThat(registry.get("sluice.upstream.attempts").tags("upstream",
        "127.0.0.1:" + mock.port(), "ending", "relayed", "status", "2xx").counter().count())
        .isEqualTo(1);
  }

  @Test
  void discoveredHook_usesTheDefaultRegistry() throws Exception {
    SimpleMeterRegistry global = new SimpleMeterRegistry();
    Metrics.addRegistry(global);
    try {
      assertThat(MicrometerHook.defaultRegistry()).isSameAs(Metrics.globalRegistry);
      relay(new MicrometerHook());
      assertThat(post(STREAM)).isEqualTo(200);
      await(() -> exchanges(global, "completed", "2xx") == 1);
    } finally {
      Metrics.removeRegistry(global);
    }
  }

  @Test
  void setDefaultRegistry_isWhereDiscoveredHooksRegister() throws Exception {
    SimpleMeterRegistry chosen = new SimpleMeterRegistry();
    MicrometerHook.setDefaultRegistry(chosen);
    try {
      relay(new MicrometerHook());
      assertThat(post(STREAM)).isEqualTo(200);
      await(() -> exchanges(chosen, "completed", "2xx") == 1);
    } finally {
      MicrometerHook.setDefaultRegistry(Metrics.globalRegistry);
    }
  }

  static void assertBoundedTags(MeterRegistry registry) {
    for (Meter m : registry.getMeters()) {
      for (Tag t : m.getId().getTags()) {
        assertThat(t.getKey()).isIn("model", "outcome", "status", "type", "upstream", "ending");
        assertThat(t.getValue()).doesNotContain("sk-ant").doesNotStartWith("req_")
            .doesNotStartWith("msg_");
      }
    }
  }
}
