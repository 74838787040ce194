package dev.sluice.disconnect.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceFilter;
import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.DisconnectContract;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.junit.jupiter.api.Test;

/**
 * Disconnect detection on embedded Tomcat 10.1 (the build puts 10.1's tomcat-embed-core on this
 * test's class path in place of 11's, which the jar is compiled against): the binary check of
 * the one jar for both releases, with the whole contract.
 */
class Tomcat10DisconnectIT extends DisconnectContract {

  @Test
  void runsOnTomcat10_1() {
    assertThat(org.apache.catalina.util.ServerInfo.getServerInfo()).startsWith(
        "Apache Tomcat/10.1.");
  }

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) throws Exception {
    return started(upstream, settings, c -> c.addUpgradeProtocol(new Http2Protocol()), "http");
  }

  @Override
  protected ContainerUnderTest startTls(URI upstream, Map<String, String> settings,
      Path keyStore, String password) throws Exception {
    return started(upstream, settings, connector -> {
      connector.setSecure(true);
      connector.setScheme("https");
      connector.setProperty("SSLEnabled", "true");
      SSLHostConfig host = new SSLHostConfig();
      SSLHostConfigCertificate certificate =
          new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
      certificate.setCertificateKeystoreFile(keyStore.toString());
      certificate.setCertificateKeystorePassword(password);
      certificate.setCertificateKeystoreType("PKCS12");
      certificate.setCertificateKeyAlias("server");
      host.addCertificate(certificate);
      connector.addSslHostConfig(host);
    }, "https");
  }

  /** Sluice by context parameters, as from web.xml; one app page at /hello. */
  private static ContainerUnderTest started(URI upstream, Map<String, String> settings,
      Consumer<Connector> tuning, String scheme) throws Exception {
    Path base = Files.createTempDirectory("tomcat10-");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setThrowOnFailure(true);
    tuning.accept(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    context.addParameter("sluice.upstream", upstream.toString());
    settings.forEach((k, v) -> context.addParameter("sluice." + k, v));
    FilterDef filter = new FilterDef();
    filter.setFilterName("sluice");
    filter.setFilter(new SluiceFilter());
    filter.setAsyncSupported("true");
    context.addFilterDef(filter);
    FilterMap map = new FilterMap();
    map.setFilterName("sluice");
    map.addURLPattern("/*");
    context.addFilterMap(map);
    Tomcat.addServlet(context, "hello", new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp)
          throws IOException {
        resp.getWriter().write("hello");
      }
    });
    context.addServletMappingDecoded("/hello", "hello");
    // Tomcat runs a filter chain only for a request some servlet maps: the app's default one.
    context.addServletMappingDecoded("/", "hello");
    tomcat.start();
    return ContainerUnderTest.of(URI.create(scheme + "://127.0.0.1:" + connector.getLocalPort()),
        "/hello", () -> {
          try {
            tomcat.stop();
            tomcat.destroy();
          } catch (Exception e) {
            throw new IllegalStateException("Tomcat failed to stop", e);
          }
        });
  }
}
