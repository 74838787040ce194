package dev.sluice.jettystandalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import dev.sluice.testkit.dist.DistFiles;
import dev.sluice.testkit.dist.JettyHome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A module of one's own in the stock distribution, as a server-side adapter ships one: {@code
 * $JETTY_BASE/modules/sluice-probe.mod} ({@code [depend] server}, {@code [lib]
 * lib/sluice/*.jar}, {@code [xml]}, {@code [ini]}) enabled with {@code start.jar
 * --add-modules=sluice-probe}. start.jar lists its jar on the server class path ({@code
 * --list-config}); the server starts only if the {@code [xml]} file can make one of the jar's
 * classes; and the {@code [ini]} property reaches the {@code [xml]} file, which switches on {@code
 * X-Powered-By} (off in the stock configuration). The server is Jetty's own JVM, and SIGTERM to
 * its PID stops it through Jetty's shutdown hook.
 */
class JettyHomeModuleIT {
  @Test
  void moduleInBase_jarOnTheServerClassPath_xmlAndIniApplied() throws Exception {
    Path base = JettyHome.newBase("module", "http,ee10-deploy");
    DistFiles.copy(JettyRelayIT.WAR, base.resolve("webapps/tomcat-example.war"));
    Path jar = Path.of(JsonFactory.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    DistFiles.copy(jar, base.resolve("lib/sluice").resolve(jar.getFileName()));
    Files.createDirectories(base.resolve("etc"));
    Files.writeString(base.resolve("etc/sluice-probe.xml"), String.join("\n",
        "<?xml version=\"1.0\"?>",
        "<!DOCTYPE Configure PUBLIC \"-//Jetty//Configure//EN\" "
            + "\"https://jetty.org/configure_10_0.dtd\">",
        "<Configure id=\"Server\" class=\"org.eclipse.jetty.server.Server\">",
        "  <New id=\"sluiceProbe\" class=\"com.fasterxml.jackson.core.JsonFactory\"/>",
        "  <Ref refid=\"httpConfig\">",
        "    <Set name=\"sendXPoweredBy\"><Property name=\"sluice.probe.poweredBy\""
            + " default=\"false\"/></Set>",
        "  </Ref>",
        "</Configure>",
        ""));
    String added = JettyHome.addModule(base, "sluice-probe", String.join("\n",
        "[description]",
        "A server-side jar and its configuration, for the test.",
        "[depend]",
        "server",
        "[lib]",
        "lib/sluice/*.jar",
        "[xml]",
        "etc/sluice-probe.xml",
        "[ini]",
        "sluice.probe.poweredBy=true",
        ""));

    assertThat(added).contains("sluice-probe");
    String config = JettyHome.startJar(base, "--list-config");
    assertThat(config.substring(config.indexOf("Classpath: Jetty\n")))
        .contains("${jetty.base}/lib/sluice/" + jar.getFileName());
    assertThat(config).contains("${jetty.base}/etc/sluice-probe.xml");
    JettyHome stopped;
    try (JettyHome jetty = JettyHome.start(base, Map.of(), "/tomcat-example/hello")) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(jetty.root() + "/tomcat-example/hello")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-powered-by")).hasValue("Jetty(" + JettyHome.version()
          + ")");
      stopped = jetty;
      assertThat(ProcessHandle.of(jetty.pid()).orElseThrow().descendants())
          .as("start.jar runs the server in its own JVM (no --exec fork): the PID is Jetty's")
          .isEmpty();
    }
    assertThat(stopped.isAlive()).isFalse();
    assertThat(stopped.console()).as("SIGTERM to the PID stops Jetty through its shutdown hook")
        .contains("JettyShutdownThread: Stopped oejs.Server@");
  }
}
