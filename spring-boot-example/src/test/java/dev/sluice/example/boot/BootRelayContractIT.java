package dev.sluice.example.boot;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.RelayContract;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * The relay contract (testkit) through a real Spring Boot app: Sluice registered by the starter,
 * on Boot's Tomcat or Jetty (one failsafe run each).
 */
class BootRelayContractIT extends RelayContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return BootApps.container(upstream, settings);
  }

  /** Tomcat closes the connection after some statuses, whatever the app does; Jetty does not. */
  @Override
  protected boolean containerClosesConnectionAfter(int status) {
    return BootApps.onTomcat() && Set.of(400, 408, 411, 413, 414, 500, 501, 503).contains(status);
  }
}
