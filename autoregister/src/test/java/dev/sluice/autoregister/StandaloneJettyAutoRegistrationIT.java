package dev.sluice.autoregister;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.dist.StandaloneJetty;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * On Jetty 12's ee10 environment ({@link StandaloneJetty}) without the annotations module, as
 * {@code --add-modules=http,ee10-deploy} serves: Jetty runs no {@code ServletContainerInitializer}
 * then, and the jar's {@code web-fragment.xml} listener registers the filter.
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
  String expectedVia() {
    return "web-fragment listener";
  }

  /**
   * Without the annotations module, Jetty has no way in for a {@code metadata-complete} app:
   * fragments are skipped and initializers never run. Pinned here because the README says so.
   */
  @Test
  void metadataCompleteWebXml_notRegistered() throws Exception {
    assertNotRelayed("/complete");
    assertThat(server.console().get()).doesNotContain("web app '/complete'");
  }
}
