package dev.sluice.example.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** {@code target/tomcat-example.war} holds the app and Sluice, and nothing of the runner's. */
class WarContentsIT {

  static List<String> entries() throws IOException {
    try (ZipFile war = new ZipFile(RealTomcatRelayContractIT.WAR.toFile())) {
      return war.stream().map(ZipEntry::getName).filter(n -> !n.endsWith("/")).toList();
    }
  }

  @Test
  void holdsTheApp() throws IOException {
    assertThat(entries()).contains(
        "WEB-INF/web.xml",
        "index.html",
        "WEB-INF/classes/dev/sluice/example/tomcat/HelloServlet.class");
    try (ZipFile war = new ZipFile(RealTomcatRelayContractIT.WAR.toFile());
        InputStream in = war.getInputStream(war.getEntry("WEB-INF/web.xml"))) {
      String webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(webXml).contains("<filter-class>dev.sluice.SluiceFilter</filter-class>",
          "<async-supported>true</async-supported>");
    }
  }

  @Test
  void libHoldsSluiceItsRuntimeDependenciesTheJulProviderThePluginAndTheDetector() throws IOException {
    List<String> lib = entries().stream().filter(n -> n.startsWith("WEB-INF/lib/"))
        .map(n -> n.substring("WEB-INF/lib/".length()).replaceFirst("-\\d.*\\.jar$", ""))
        .sorted().toList();

    // filter-core's default upstream transport is Jetty's HttpClient: the client, not a server.
    assertThat(lib).containsExactly("filter-core", "jackson-annotations", "jackson-core",
        "jackson-databind", "jetty-alpn-client", "jetty-client", "jetty-compression-common",
        "jetty-compression-gzip", "jetty-http", "jetty-io", "jetty-util", "sample-plugin",
        "slf4j-api", "slf4j-jdk14", "sluice-disconnect-tomcat");
  }

  @Test
  void nothingOfTheEmbeddedRunner() throws IOException {
    assertThat(entries())
        .noneMatch(n -> n.contains("TomcatExample") || n.contains("Options"))
        .noneMatch(n -> n.startsWith("WEB-INF/classes/webapp/"))
        .noneMatch(n -> n.contains("simplelogger"))
        .noneMatch(n -> n.matches("WEB-INF/lib/(tomcat|testkit|jetty-server|jetty-ee|slf4j-simple)"
            + ".*"));
  }
}
