package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.HooksContract;
import java.net.URI;
import java.util.Map;

/** The built-in hooks and the sample plugin's, on embedded Tomcat. */
class HooksIT extends HooksContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return TomcatExampleIT.container(upstream, settings);
  }
}
