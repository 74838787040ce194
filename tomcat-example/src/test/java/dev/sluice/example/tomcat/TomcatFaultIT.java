package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.FaultContract;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** The fault matrix (testkit) on this example: embedded Tomcat 11, Sluice declared in web.xml. */
class TomcatFaultIT extends FaultContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return TomcatExampleIT.container(upstream, settings);
  }

  /**
   * The example with the connector's connectionTimeout (which bounds a pending write) and its
   * default async timeout both set to {@code timeout}.
   */
  @Override
  protected ContainerUnderTest startWithWriteTimeout(URI upstream, Map<String, String> settings,
      Duration timeout) {
    TomcatExample.Running app = TomcatExample.start(0, upstream, settings,
        (connector, context) -> {
          connector.setProperty("connectionTimeout", String.valueOf(timeout.toMillis()));
          connector.setAsyncTimeout(timeout.toMillis()); // Sluice must switch this one off
        });
    return ContainerUnderTest.of(app.baseUri(), "/hello", app::close);
  }
}
