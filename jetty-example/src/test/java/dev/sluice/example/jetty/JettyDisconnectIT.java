package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.DisconnectContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Disconnect detection (testkit) on this example: Jetty 12 ee10, Sluice in web.xml and
 * sluice-disconnect-jetty on the class path; h2c and TLS connectors as a user would add them.
 */
class JettyDisconnectIT extends DisconnectContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) throws Exception {
    HttpConfiguration config = new HttpConfiguration();
    Server server = new Server();
    return started(server, new ServerConnector(server, new HttpConnectionFactory(config),
        new HTTP2CServerConnectionFactory(config)), upstream, settings, "http");
  }

  @Override
  protected ContainerUnderTest startTls(URI upstream, Map<String, String> settings,
      Path keyStore, String password) throws Exception {
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStorePath(keyStore.toString());
    tls.setKeyStorePassword(password);
    tls.setKeyStoreType("PKCS12");
    Server server = new Server();
    return started(server, new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
        new HttpConnectionFactory()), upstream, settings, "https");
  }

  private static ContainerUnderTest started(Server server, ServerConnector connector,
      URI upstream, Map<String, String> settings, String scheme) throws Exception {
    connector.setHost("127.0.0.1");
    connector.setIdleTimeout(JettyExample.CONNECTOR_IDLE_TIMEOUT.toMillis());
    server.addConnector(connector);
    server.setHandler(JettyExample.newWebApp(server, upstream, settings));
    server.start();
    return ContainerUnderTest.of(URI.create(scheme + "://127.0.0.1:" + connector.getLocalPort()),
        "/hello", () -> {
          try {
            server.stop();
          } catch (Exception e) {
            throw new IllegalStateException("Jetty failed to stop", e);
          }
        });
  }
}
