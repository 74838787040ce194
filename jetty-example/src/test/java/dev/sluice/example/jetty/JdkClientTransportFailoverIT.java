package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Retries and failover over the JDK-client upstream transport ({@code transport=jdk}) instead of
 * the default Jetty client: the decorator works on any transport, with that client's own cancel
 * and failure paths.
 */
class JdkClientTransportFailoverIT extends JettyFailoverIT {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.put("transport", "jdk");
    return super.start(upstream, all);
  }
}
