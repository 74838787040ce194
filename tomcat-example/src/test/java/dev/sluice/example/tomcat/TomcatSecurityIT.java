package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.SecurityContract;
import java.net.URI;
import java.util.Map;

/**
 * The security contract (testkit) on this example: embedded Tomcat 11 at its connector defaults.
 * Sluice logs through slf4j-simple (System.err) and Tomcat through java.util.logging (JULI); the
 * contract captures both.
 */
class TomcatSecurityIT extends SecurityContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return TomcatExampleIT.container(upstream, settings);
  }
}
