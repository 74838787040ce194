package dev.sluice.autoregister;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.dist.StandaloneJetty;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * On Jetty 12's ee10 environment with the {@code ee10-annotations} module added: Jetty runs the
 * jar's {@code ServletContainerInitializer} first, and the fragment's listener then does nothing.
 */
class StandaloneJettyAnnotationsAutoRegistrationIT extends AutoRegistrationIT {
  @Override
  Path newBase() {
    return StandaloneJetty.newBase("autoregister-ee10-annotations");
  }

  @Override
  void prepare(Path base) {
    StandaloneJetty.addAnnotationsModule(base);
  }

  @Override
  Running start(Path base, Map<String, String> systemProperties) throws Exception {
    StandaloneJetty jetty = StandaloneJetty.start(base, "ee10", systemProperties, "/auto/");
    return new Running(jetty.root(), jetty::console, jetty::close);
  }

  @Override
  String expectedVia() {
    return "ServletContainerInitializer";
  }

  @Test
  void metadataCompleteWebXml_stillRegisteredByTheInitializer() throws Exception {
    HttpResponse<byte[]> relayed = post("/complete/v1/messages", REQUEST);

    assertThat(relayed.statusCode()).isEqualTo(200);
    assertThat(relayed.body()).isEqualTo(MockUpstream.transcript("text"));
    assertThat(server.console().get()).contains("Sluice auto-registered in web app '/complete' "
        + "(by its ServletContainerInitializer)");
  }
}
