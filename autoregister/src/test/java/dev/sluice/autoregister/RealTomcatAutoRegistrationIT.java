package dev.sluice.autoregister;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.dist.TomcatDistribution;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * On the stock Tomcat 11 distribution ({@code bin/catalina.sh run}, a CATALINA_BASE of its own):
 * Tomcat runs the jar's {@code ServletContainerInitializer} (the fragment's listener then finds
 * the filter registered), also for a {@code metadata-complete} {@code web.xml}. The {@code auto}
 * app gets a setting from a context descriptor, {@code conf/Catalina/localhost/auto.xml}.
 */
class RealTomcatAutoRegistrationIT extends AutoRegistrationIT {
  @Override
  Path newBase() {
    return TomcatDistribution.newBase("autoregister");
  }

  @Override
  void prepare(Path base) throws Exception {
    write(base.resolve("conf/Catalina/localhost/auto.xml"), String.join("\n",
        "<Context>",
        "  <Parameter name=\"sluice.max-request-bytes\" value=\"2048\" override=\"false\"/>",
        "</Context>",
        ""));
  }

  @Override
  Running start(Path base, Map<String, String> systemProperties) throws Exception {
    TomcatDistribution tomcat = TomcatDistribution.start(base, systemProperties, "", "/auto/");
    return new Running(tomcat.root(), tomcat::console, tomcat::close);
  }

  @Override
  boolean runsInitializers() {
    return true;
  }

  @Test
  void contextParamFromTheContextDescriptor_reachesTheFilter() throws Exception {
    String big = "{\"model\":\"m\",\"pad\":\"" + "x".repeat(2048) + "\"}";
    HttpResponse<byte[]> r = post("/auto/v1/messages", big);

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .contains("\"type\":\"request_too_large\"");
    assertThat(server.console().get()).contains("max-request-bytes=2048");
    assertThat(mock.requests()).isEmpty();
  }
}
