package dev.sluice.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What the runnable jars print and start; the jars themselves run in each example's ShadedJarIT. */
class ExampleMainTest {
  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void withUpstream_startsTheAppWithTheEffectiveSettings_andNoMock() {
    Map<String, Object> started = new HashMap<>();
    RunningApp app = ExampleMain.run("x-example",
        Options.parse("--port", "0", "--upstream", "http://127.0.0.1:9/", "--hooks", "usage-log"),
        (port, upstream, settings, servlets) -> {
          started.put("port", port);
          started.put("upstream", upstream);
          started.put("settings", settings);
          return fake(4711);
        },
        out);

    assertThat(started).containsEntry("port", 0)
        .containsEntry("upstream", URI.create("http://127.0.0.1:9/"))
        .containsEntry("settings",
            Map.of("hooks", "usage-log", "model-aliases", Options.DEFAULT_MODEL_ALIASES));
    assertThat(app.port()).isEqualTo(4711);
    assertThat(printed()).doesNotContain("mock")
        .contains("Sluice example listening on http://127.0.0.1:4711 (upstream http://127.0.0.1:9/)")
        .contains("  hooks: usage-log");
  }

  @Test
  void withoutUpstream_startsTheMock_andNamesIt() {
    AtomicReference<URI> upstream = new AtomicReference<>();
    ExampleMain.run("x-example", Options.parse("--hooks", "model-alias"),
        (port, u, settings, servlets) -> {
          upstream.set(u);
          return fake(1);
        },
        out);

    assertThat(printed())
        .contains("No --upstream given: started the mock Anthropic API at " + upstream.get())
        .contains("  model-aliases: " + Options.DEFAULT_MODEL_ALIASES);
  }

  @Test
  void metrics_mountsThePrometheusServletAndNamesIt() {
    Map<String, Object> started = new HashMap<>();
    ExampleMain.run("x-example", Options.parse("--upstream", "http://127.0.0.1:9/", "--metrics"),
        (port, upstream, settings, servlets) -> {
          started.put("servlets", servlets);
          return fake(4711);
        },
        out);
    try {
      assertThat(started.get("servlets").toString()).startsWith("{" + MetricsServlet.PATH + "=");
      assertThat((Map<?, ?>) started.get("servlets")).hasSize(1);
      assertThat(dev.sluice.micrometer.MicrometerHook.defaultRegistry())
          .isInstanceOf(io.micrometer.prometheusmetrics.PrometheusMeterRegistry.class);
      assertThat(printed()).contains("  metrics: http://127.0.0.1:4711/metrics")
          .contains("  hooks: micrometer");
    } finally {
      dev.sluice.micrometer.MicrometerHook.setDefaultRegistry(
          io.micrometer.core.instrument.Metrics.globalRegistry);
    }
  }

  @Test
  void noHooks_saysPureRelay() {
    ExampleMain.run("x-example", Options.parse("--upstream", "http://127.0.0.1:9/"),
        (port, upstream, settings, servlets) -> fake(1), out);

    assertThat(printed()).contains("  hooks: none (pure byte relay)");
  }

  @Test
  void diagnostics_mountsTheDiagnosticsServlet_onlyWhenAsked() {
    Map<String, Map<String, ?>> mounted = new HashMap<>();
    ExampleMain.run("x-example", Options.parse("--upstream", "http://127.0.0.1:9/"),
        (port, upstream, settings, servlets) -> {
          mounted.put("plain", servlets);
          return fake(1);
        }, out);
    ExampleMain.run("x-example",
        Options.parse("--upstream", "http://127.0.0.1:9/", "--diagnostics"),
        (port, upstream, settings, servlets) -> {
          mounted.put("diagnostics", servlets);
          return fake(2);
        }, out);

    assertThat(mounted.get("plain")).isEmpty();
    assertThat(mounted.get("diagnostics")).containsOnlyKeys(DiagnosticsServlet.PATH);
    assertThat(mounted.get("diagnostics").get(DiagnosticsServlet.PATH))
        .isInstanceOf(DiagnosticsServlet.class);
    assertThat(printed()).containsOnlyOnce("  diagnostics: http://127.0.0.1:2/_diagnostics");
  }

  @Test
  void failedStart_isThrown_andTheMockStopped() {
    AtomicReference<URI> upstream = new AtomicReference<>();
    assertThatIllegalStateException().isThrownBy(() ->
        ExampleMain.run("x-example", Options.parse(), (port, u, settings, servlets) -> {
          upstream.set(u);
          throw new IllegalStateException("port taken");
        }, out))
        .withMessage("port taken");

    // The mock was closed: nothing listens at its address any more.
    assertThat(upstream.get()).isNotNull();
    assertThat(listening(upstream.get())).isFalse();
  }

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean listening(URI uri) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static RunningApp fake(int port) {
    return new RunningApp() {
      @Override
      public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
      }

      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() {}
    };
  }
}
