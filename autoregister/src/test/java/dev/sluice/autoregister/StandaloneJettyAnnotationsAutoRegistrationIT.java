package dev.sluice.autoregister;

import dev.sluice.testkit.dist.StandaloneJetty;
import java.nio.file.Path;

/**
 * On Jetty 12's ee10 environment with the {@code ee10-annotations} module added: Jetty runs the
 * jar's {@code ServletContainerInitializer} first (also for a {@code metadata-complete} app), and
 * the fragment's listener then does nothing.
 */
class StandaloneJettyAnnotationsAutoRegistrationIT extends StandaloneJettyAutoRegistrationIT {
  @Override
  void prepare(Path base) {
    StandaloneJetty.addAnnotationsModule(base);
  }

  @Override
  boolean runsInitializers() {
    return true;
  }
}
