package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.FailoverContract;
import java.net.URI;
import java.util.Map;

/** Retries and failover (testkit) on this example: Jetty 12 ee10, Sluice declared in web.xml. */
class JettyFailoverIT extends FailoverContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return JettyExampleIT.container(upstream, settings);
  }
}
