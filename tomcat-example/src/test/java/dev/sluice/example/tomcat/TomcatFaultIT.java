package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.FaultContract;
import java.net.URI;
import java.util.Map;

/** The fault matrix (testkit) on this example: embedded Tomcat 11, Sluice declared in web.xml. */
class TomcatFaultIT extends FaultContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return TomcatExampleIT.container(upstream, settings);
  }
}
