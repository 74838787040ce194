package dev.sluice.jettystandalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.CoreChecks;
import dev.sluice.testkit.contract.RelayContract;
import dev.sluice.testkit.contract.SdkContract;
import dev.sluice.testkit.dist.DistFiles;
import dev.sluice.testkit.dist.StandaloneJetty;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example WAR ({@code tomcat-example.war}: Sluice in its {@code web.xml}, the jars in {@code
 * WEB-INF/lib}, built for Servlet 6.0) unchanged in the {@code webapps/} of a Jetty 12 server of
 * its own ({@link StandaloneJetty}), configured only by {@code -Dsluice.*} on Jetty's command
 * line: the relay contract's core checks and the official SDK's streams. One Jetty per class.
 */
@ExtendWith(CoreChecks.class)
abstract class StandaloneJettyRelayIT extends RelayContract {
  static final Path WAR = Path.of(System.getProperty("example-war",
      "../tomcat-example/target/tomcat-example.war"));
  static final String CONTEXT = "/tomcat-example";

  private StandaloneJetty jetty;

  /** {@code ee10} or {@code ee11}. */
  abstract String environment();

  /** The Servlet API jar of the environment, the only one on the server's class path. */
  abstract String servletApiJar();

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) throws Exception {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("sluice.upstream", upstream.toString());
    settings.forEach((key, value) -> properties.put("sluice." + key, value));
    Path base = StandaloneJetty.newBase(environment());
    DistFiles.copy(WAR, base.resolve("webapps/tomcat-example.war"));
    StandaloneJetty started = StandaloneJetty.start(base, environment(), properties,
        CONTEXT + "/hello");
    if (jetty == null) jetty = started;
    return ContainerUnderTest.of(URI.create(started.root() + CONTEXT), "/hello", started::close);
  }

  @Test
  void warDeployed_appPagesIntact_sluiceLogsThroughTheWarsProvider() throws Exception {
    assertThat(jetty.console())
        .contains("StandaloneJetty 12.1.14 (" + environment() + ") started")
        .contains("Started oeje" + environment().substring(2) + "w.WebAppContext@")
        .contains("Sluice relaying POST " + CONTEXT + "/v1/messages/** to " + mock.baseUri())
        .doesNotContain("No SLF4J providers were found")
        .doesNotContain("SEVERE").doesNotContain("WARN");
    assertThat(DistFiles.list(StandaloneJetty.home().resolve("lib").resolve(environment())))
        .contains(servletApiJar()).containsOnlyOnce("jakarta.servlet-api-");
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(
        URI.create(app.baseUri() + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<h1>Sluice Tomcat example</h1>");
    HttpResponse<String> missing = http.send(HttpRequest.newBuilder(
        URI.create(app.baseUri() + "/no-such-page")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(Files.list(jetty.base().resolve("work")).count()).as("the WAR was unpacked")
        .isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "thinking", "tool_use", "citations"})
  void anthropicSdk_streamsTheSameMessageAsDirect(String scenario) {
    SdkContract.assertStreamsSameAsDirect(app.baseUri(), mock.baseUri(), scenario);
  }
}
