package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.RelayContract;
import dev.sluice.testkit.dist.TomcatDistribution;
import java.net.URI;
import java.util.Map;

/**
 * The relay contract (testkit) on this example: embedded Tomcat 11, Sluice declared in web.xml,
 * the connector at Tomcat's defaults except the address (so its 30 s async timeout is live, and
 * the contract's slow test proves Sluice switches it off).
 */
class TomcatRelayContractIT extends RelayContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return TomcatExampleIT.container(upstream, settings);
  }

  @Override
  protected boolean containerClosesConnectionAfter(int status) {
    return TomcatDistribution.dropsConnection(status);
  }
}
