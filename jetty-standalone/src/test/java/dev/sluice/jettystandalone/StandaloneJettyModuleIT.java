package dev.sluice.jettystandalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import dev.sluice.testkit.dist.DistFiles;
import dev.sluice.testkit.dist.StandaloneJetty;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Jetty module file in {@code $JETTY_BASE/modules}, as a server-side adapter ships one: its
 * {@code [lib]} jar joins the server class path (the {@code [xml]} file makes one of its classes,
 * or the start fails), and its {@code [xml]} file configures the server through the ids the stock
 * XML files define ({@code httpConfig}: every response then says {@code X-Powered-By}).
 */
class StandaloneJettyModuleIT {
  @Test
  void moduleFile_libOnTheServerClassPath_xmlAppliedToTheServer() throws Exception {
    Path base = StandaloneJetty.newBase("module");
    DistFiles.copy(StandaloneJettyRelayIT.WAR, base.resolve("webapps/tomcat-example.war"));
    Path jar = Path.of(JsonFactory.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    DistFiles.copy(jar, base.resolve("lib/probe").resolve(jar.getFileName()));
    Files.writeString(base.resolve("etc/probe.xml"), String.join("\n",
        "<?xml version=\"1.0\"?>",
        "<!DOCTYPE Configure PUBLIC \"-//Jetty//Configure//EN\" "
            + "\"https://jetty.org/configure_10_0.dtd\">",
        "<Configure id=\"Server\" class=\"org.eclipse.jetty.server.Server\">",
        "  <Ref refid=\"httpConfig\"><Set name=\"sendXPoweredBy\">true</Set></Ref>",
        "  <New id=\"probe\" class=\"com.fasterxml.jackson.core.JsonFactory\"/>",
        "</Configure>",
        ""));
    StandaloneJetty.addModule(base, "probe", String.join("\n",
        "[description]",
        "A server-side jar and its configuration, for the test.",
        "[lib]",
        "lib/probe/*.jar",
        "[xml]",
        "etc/probe.xml",
        ""));

    try (StandaloneJetty jetty = StandaloneJetty.start(base, "ee10", Map.of(),
        "/tomcat-example/hello")) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(jetty.root() + "/tomcat-example/hello")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-powered-by")).hasValue("Jetty(12.1.14)");
    }
  }
}
