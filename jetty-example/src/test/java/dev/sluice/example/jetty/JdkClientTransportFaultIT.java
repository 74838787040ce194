package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The fault matrix with the JDK-client upstream transport ({@code transport=jdk}) instead of the
 * default Jetty client: the faults reach Sluice through that client's own failure paths.
 */
class JdkClientTransportFaultIT extends JettyFaultIT {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return super.start(upstream, withTransport(settings));
  }

  @Override
  protected ContainerUnderTest startWithWriteTimeout(URI upstream,
      Map<String, String> settings, Duration timeout) throws Exception {
    return super.startWithWriteTimeout(upstream, withTransport(settings), timeout);
  }

  private static Map<String, String> withTransport(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.put("transport", "jdk");
    return all;
  }
}
