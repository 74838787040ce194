package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.RelayContract;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * The relay contract (testkit) on this example with the JDK-client upstream transport
 * ({@code transport=jdk}) instead of the default Jetty client. An unknown transport name fails
 * the filter's start, so this cannot silently run on the default.
 */
class JdkClientTransportContractIT extends RelayContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    Map<String, String> withTransport = new HashMap<>(settings);
    withTransport.put("transport", "jdk");
    return JettyExampleIT.container(upstream, withTransport);
  }
}
