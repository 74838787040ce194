package dev.sluice.jettystandalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.CoreChecks;
import dev.sluice.testkit.contract.RelayContract;
import dev.sluice.testkit.contract.SdkContract;
import dev.sluice.testkit.dist.ServerProcess;
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
 * its own, configured only by {@code -Dsluice.*} on Jetty's command line: the relay contract's
 * core checks and the official SDK's streams. One Jetty per class, stopped by its PID.
 */
@ExtendWith(CoreChecks.class)
abstract class JettyRelayIT extends RelayContract {
  static final Path WAR = Path.of(System.getProperty("example-war",
      "../tomcat-example/target/tomcat-example.war"));
  static final String CONTEXT = "/tomcat-example";

  private final String environment;
  private ServerProcess jetty;

  /** {@code environment}: {@code ee10} (Jakarta Servlet 6.0) or {@code ee11} (6.1). */
  JettyRelayIT(String environment) {
    this.environment = environment;
  }

  final String environment() {
    return environment;
  }

  /** The Servlet API jar of the environment, the only one on its class path. */
  private String servletApiJar() {
    return environment.equals("ee10") ? "jakarta.servlet-api-6.0.0.jar"
        : "jakarta.servlet-api-6.1.0.jar";
  }

  /**
   * Starts a Jetty with the WAR as {@code webapps/tomcat-example.war} and {@code properties} as
   * {@code -Dkey=value}, ready once {@code CONTEXT/hello} answers.
   */
  abstract ServerProcess startJetty(Map<String, String> properties) throws Exception;

  /** A line the server's console shows once it runs: its name and release. */
  abstract String startedLine();

  /** What the server says is on the environment's class path (file names or a listing). */
  abstract String environmentClassPath();

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) throws Exception {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("sluice.upstream", upstream.toString());
    settings.forEach((key, value) -> properties.put("sluice." + key, value));
    ServerProcess started = startJetty(properties);
    if (jetty == null) jetty = started;
    return ContainerUnderTest.of(URI.create(started.root() + CONTEXT), "/hello", started::close);
  }

  @Test
  void warDeployed_appPagesIntact_sluiceLogsThroughTheWarsProvider() throws Exception {
    assertThat(jetty.console())
        .contains(startedLine())
        .contains("Started oeje" + environment().substring(2) + "w.WebAppContext@")
        .contains("Sluice relaying POST " + CONTEXT + "/v1/messages/** to " + mock.baseUri())
        .doesNotContain("No SLF4J providers were found")
        .doesNotContain("SEVERE").doesNotContain("WARN");
    assertThat(environmentClassPath())
        .contains(servletApiJar()).containsOnlyOnce("jakarta.servlet-api-");
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(
        URI.create(app.baseUri() + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<h1>Sluice Tomcat example</h1>");
    HttpResponse<String> missing = http.send(HttpRequest.newBuilder(
        URI.create(app.baseUri() + "/no-such-page")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    try (var work = Files.list(jetty.base().resolve("work"))) {
      assertThat(work.count()).as("the WAR was unpacked").isPositive();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "thinking", "tool_use", "citations"})
  void anthropicSdk_streamsTheSameMessageAsDirect(String scenario) {
    SdkContract.assertStreamsSameAsDirect(app.baseUri(), mock.baseUri(), scenario);
  }
}
