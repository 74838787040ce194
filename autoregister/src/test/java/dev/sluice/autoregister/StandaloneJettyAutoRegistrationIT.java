package dev.sluice.autoregister;

import dev.sluice.testkit.dist.StandaloneJetty;
import java.nio.file.Path;
import java.util.Map;

/**
 * On Jetty 12's ee10 environment ({@link StandaloneJetty}) without the annotations module, as
 * {@code --add-modules=http,ee10-deploy} serves: Jetty runs no {@code ServletContainerInitializer}
 * then, and the jar's {@code web-fragment.xml} listener registers the filter (so a {@code
 * metadata-complete} app gets none).
 */
class StandaloneJettyAutoRegistrationIT extends AutoRegistrationIT {
  @Override
  Path newBase() {
    return StandaloneJetty.newBase("autoregister-ee10");
  }

  @Override
  Running start(Path base, Map<String, String> systemProperties) throws Exception {
    StandaloneJetty jetty = StandaloneJetty.start(base, "ee10", systemProperties, "/auto/");
    return new Running(jetty.root(), jetty::console, jetty::close);
  }

  @Override
  boolean runsInitializers() {
    return false;
  }
}
