package dev.sluice.example.boot;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.HooksContract;
import java.net.URI;
import java.util.Map;

/**
 * The built-in hooks and the sample plugin's (a runtime dependency, found by ServiceLoader),
 * enabled by {@code sluice.hooks}, with their own settings ({@code sluice.model-aliases},
 * {@code sluice.blocked-words}) read from Boot's environment.
 */
class BootHooksIT extends HooksContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return BootApps.container(upstream, settings);
  }
}
