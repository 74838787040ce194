package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.ExampleAppContract;
import java.net.URI;
import java.util.Map;

/** The example app stays intact with Sluice in its web.xml, and Sluice relays byte for byte. */
class JettyExampleIT extends ExampleAppContract {

  JettyExampleIT() {
    super("jetty-example", "Sluice Jetty example");
  }

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return container(upstream, settings);
  }

  /** {@link JettyExample} on a free port, as the contract suites' container under test. */
  static ContainerUnderTest container(URI upstream, Map<String, String> settings) {
    JettyExample.Running app = JettyExample.start(0, upstream, settings);
    return ContainerUnderTest.of(app.baseUri(), "/hello", app::close);
  }
}
