package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.FailoverContract;
import java.net.URI;
import java.util.Map;

/** Retries and failover (testkit) on this example: embedded Tomcat 11, Sluice in web.xml. */
class TomcatFailoverIT extends FailoverContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return TomcatExampleIT.container(upstream, settings);
  }
}
