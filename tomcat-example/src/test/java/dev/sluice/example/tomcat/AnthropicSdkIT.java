package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.SdkContract;
import java.net.URI;
import java.util.Map;

/** The official Java SDK sees no difference between this example and the API itself. */
class AnthropicSdkIT extends SdkContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return TomcatExampleIT.container(upstream, settings);
  }
}
