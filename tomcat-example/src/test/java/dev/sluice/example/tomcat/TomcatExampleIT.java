package dev.sluice.example.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.ExampleAppContract;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/**
 * The example app stays intact with Sluice in its web.xml, and Sluice relays byte for byte (the
 * contract), plus what only Tomcat shows: how it writes Content-Type, its start failure, and its
 * check for threads an undeployed app left behind.
 */
class TomcatExampleIT extends ExampleAppContract {

  TomcatExampleIT() {
    super("tomcat-example", "Sluice Tomcat example");
  }

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return container(upstream, settings);
  }

  /** {@link TomcatExample} on a free port, as the contract suites' container under test. */
  static ContainerUnderTest container(URI upstream, Map<String, String> settings) {
    TomcatExample.Running app = TomcatExample.start(0, upstream, settings);
    return ContainerUnderTest.of(app.baseUri(), "/hello", app::close);
  }

  /**
   * Tomcat parses every Content-Type it is given (there is no raw header path in the Servlet API)
   * and writes it back as {@code type;charset=<as given>}, dropping the optional space after the
   * {@code ;}. RFC 9110 §8.3.1 makes the two equivalent and the SDKs read both, so the contracts
   * compare media types; this pins down what Tomcat does, for the README's pitfall.
   */
  @Test
  void contentType_writtenBackWithoutTheSpace() throws Exception {
    HttpResponse<byte[]> direct = sendBytes(post(mock.baseUri(), "/v1/messages", STREAM_BODY));
    HttpResponse<byte[]> proxied = sendBytes(post(app.baseUri(), "/v1/messages", STREAM_BODY));

    assertThat(direct.headers().firstValue("content-type"))
        .hasValue("text/event-stream; charset=utf-8");
    assertThat(proxied.headers().firstValue("content-type"))
        .hasValue("text/event-stream;charset=utf-8");
    assertThat(proxied.body()).isEqualTo(direct.body());
  }

  @Test
  void invalidSetting_failureNamesTheWebApp() {
    assertThatIllegalStateException()
        .isThrownBy(() -> TomcatExample.start(0, mock.baseUri(), Map.of("idle-timeout", "soon")))
        .withMessageStartingWith("Tomcat failed to start the web app on 127.0.0.1:0");
  }

  /**
   * Undeploying the app (here: stopping Tomcat) must leave no thread of its behind: Tomcat's
   * WebappClassLoaderBase.clearReferencesThreads warns about each one, since such a thread pins
   * the app's class loader (a leak on every redeploy).
   */
  @Test
  void stop_leavesNoThreadOfTheWebAppRunning() throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Logger logger = Logger.getLogger("org.apache.catalina.loader.WebappClassLoaderBase");
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(new SimpleFormatter().formatMessage(record));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    logger.addHandler(capture);
    try {
      try (TomcatExample.Running running = TomcatExample.start(0, mock.baseUri(), Map.of())) {
        send(post(running.baseUri(), "/v1/messages", STREAM_BODY)); // the relay is in use
      }
    } finally {
      logger.removeHandler(capture);
    }

    assertThat(warnings).noneMatch(w -> w.contains("failed to stop it"));
  }
}
