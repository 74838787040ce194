package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.FaultContract;
import java.net.URI;
import java.util.Map;

/** The fault matrix (testkit) on this example: Jetty 12 ee10, Sluice declared in web.xml. */
class JettyFaultIT extends FaultContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return JettyExampleIT.container(upstream, settings);
  }
}
