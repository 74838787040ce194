package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.DisconnectContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * Disconnect detection (testkit) on this example: embedded Tomcat 11 (NIO), Sluice in web.xml and
 * sluice-disconnect-tomcat on the class path; HTTP/2 and TLS configured as a user would.
 */
class TomcatDisconnectIT extends DisconnectContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    TomcatExample.Running app = TomcatExample.start(0, upstream, settings,
        (connector, context) -> connector.addUpgradeProtocol(new Http2Protocol()));
    return ContainerUnderTest.of(app.baseUri(), "/hello", app::close);
  }

  @Override
  protected ContainerUnderTest startTls(URI upstream, Map<String, String> settings,
      Path keyStore, String password) {
    TomcatExample.Running app = TomcatExample.start(0, upstream, settings,
        (connector, context) -> {
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
        });
    return ContainerUnderTest.of(URI.create("https://127.0.0.1:" + app.port()), "/hello",
        app::close);
  }
}
