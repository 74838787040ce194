package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.RelayContract;
import java.net.URI;
import java.util.Map;

/** The relay contract (testkit) on this example: Jetty 12 ee10, Sluice declared in web.xml. */
class JettyRelayContractIT extends RelayContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return JettyExampleIT.container(upstream, settings);
  }
}
