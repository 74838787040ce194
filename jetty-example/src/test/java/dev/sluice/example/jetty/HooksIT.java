package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.HooksContract;
import java.net.URI;
import java.util.Map;

/** The built-in hooks and the sample plugin's, in this example (the plugin is a dependency). */
class HooksIT extends HooksContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return JettyExampleIT.container(upstream, settings);
  }
}
