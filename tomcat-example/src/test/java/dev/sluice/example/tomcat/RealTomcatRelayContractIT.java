package dev.sluice.example.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.RelayContract;
import dev.sluice.testkit.contract.SdkContract;
import dev.sluice.testkit.dist.DistFiles;
import dev.sluice.testkit.dist.TomcatDistribution;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The relay contract on the real thing: {@code target/tomcat-example.war} dropped into the
 * {@code webapps/} of the stock Tomcat 11 distribution from Maven Central, started with its own
 * {@code bin/catalina.sh run}, configured only through {@code CATALINA_OPTS}
 * ({@code -Dsluice.upstream=... -Dsluice.<setting>=...}). The app lives at {@code
 * /tomcat-example}, so the filter's paths are checked relative to a context path too.
 *
 * <p>The first container is the distribution itself (Tomcat's own apps beside ours); the
 * contract's extra containers (other settings) are further Tomcats, each on a CATALINA_BASE of
 * its own with the same WAR.
 */
class RealTomcatRelayContractIT extends RelayContract {
  static final String CONTEXT = "/tomcat-example";

  /** The WAR the build made, what a user drops into {@code webapps/}. */
  static final Path WAR = Path.of("target", "tomcat-example.war");

  private final List<TomcatDistribution> tomcats = new ArrayList<>();

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) throws Exception {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("sluice.upstream", upstream.toString());
    settings.forEach((key, value) -> properties.put("sluice." + key, value));
    Path base = tomcats.isEmpty() ? TomcatDistribution.home()
        : TomcatDistribution.newBase("contract");
    DistFiles.copy(WAR, base.resolve("webapps/tomcat-example.war"));
    TomcatDistribution tomcat = TomcatDistribution.start(base, properties, "", CONTEXT + "/hello");
    tomcats.add(tomcat);
    return ContainerUnderTest.of(URI.create(tomcat.root() + CONTEXT), "/hello", tomcat::close);
  }

  @Test
  @Disabled("The module runs this 33 s test once, on embedded Tomcat (the same Tomcat release "
      + "and the same 30 s default asyncTimeout). On real Tomcat, RealTomcatSharedLibIT "
      + "proves the same in seconds with the connector's asyncTimeout cut to 1 s.")
  @Override
  protected void silenceLongerThanTheContainersAsyncTimeout_doesNotCutTheStream() {}

  // ---- the deployment itself ----

  @Test
  void warDeployedByTomcatsHostNextToItsOwnApps() throws Exception {
    Path webapps = TomcatDistribution.home().resolve("webapps");
    assertThat(webapps.resolve("tomcat-example/WEB-INF/web.xml")).as("HostConfig expanded the WAR")
        .isRegularFile();
    assertThat(DistFiles.list(webapps)).contains("ROOT", "docs", "manager", "tomcat-example.war");
    assertThat(DistFiles.list(webapps.resolve("tomcat-example/WEB-INF/lib")))
        .contains("filter-core-", "slf4j-jdk14-", "jetty-client-", // the default transport
            "sluice-disconnect-tomcat-")
        .doesNotContainPattern("(^|, )(tomcat-|testkit|jetty-server|jetty-ee)");

    HttpResponse<String> page = http.send(HttpRequest.newBuilder(
        URI.create(app.baseUri() + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<h1>Sluice Tomcat example</h1>");
    HttpResponse<String> missing = http.send(HttpRequest.newBuilder(
        URI.create(app.baseUri() + "/no-such-page")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).as("Tomcat's own error page").contains("Apache Tomcat/11.0.");
  }

  /** The WAR's slf4j-jdk14 puts Sluice's log lines into Tomcat's logging (here: the console). */
  @Test
  void startupLineInCatalinaOutput() {
    String console = tomcats.get(0).console();
    assertThat(console).contains("Sluice relaying POST " + CONTEXT + "/v1/messages/** to "
        + mock.baseUri());
    assertThat(console).doesNotContain("No SLF4J providers were found");
    assertThat(console).doesNotContain("SEVERE");
  }

  // ---- the official SDK through the real Tomcat ----

  @ParameterizedTest
  @ValueSource(strings = {"text", "thinking", "tool_use"})
  void anthropicSdk_streamsTheSameMessageAsDirect(String scenario) {
    SdkContract.assertStreamsSameAsDirect(app.baseUri(), mock.baseUri(), scenario);
  }

  @Override
  protected boolean containerClosesConnectionAfter(int status) {
    return TomcatDistribution.dropsConnection(status);
  }
}
