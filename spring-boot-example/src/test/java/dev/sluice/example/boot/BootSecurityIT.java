package dev.sluice.example.boot;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.SecurityContract;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The security contract (testkit) through the Boot app, with the starter's own registration
 * ({@code /v1/messages} and {@code /v1/messages/*}), logging through Boot's Logback to the
 * console, which the contract captures. testkit's LogCapture cannot turn Logback's levels up, so
 * the apps of this class start with Sluice's loggers at debug through Boot's own property.
 */
class BootSecurityIT extends SecurityContract {
  private static final String DEBUG = "logging.level.dev.sluice";

  static {
    System.setProperty(DEBUG, "debug"); // before the suite's first app starts
  }

  @AfterAll
  void restoreLevel() {
    System.clearProperty(DEBUG);
  }

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return BootApps.container(upstream, settings);
  }
}
