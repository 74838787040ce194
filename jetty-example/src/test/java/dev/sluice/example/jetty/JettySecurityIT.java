package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.SecurityContract;
import java.net.URI;
import java.util.Map;

/**
 * The security contract (testkit) on this example: Jetty 12 ee10 with its default URI and HTTP
 * compliance, logging through slf4j-simple to System.err, which the contract captures.
 */
class JettySecurityIT extends SecurityContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return JettyExampleIT.container(upstream, settings);
  }
}
