package dev.sluice.example.boot;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.SdkContract;
import java.net.URI;
import java.util.Map;

/** The official Java SDK sees no difference between this Boot app and the API itself. */
class BootSdkIT extends SdkContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return BootApps.container(upstream, settings);
  }
}
