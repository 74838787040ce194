package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.FaultContract;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The fault matrix (testkit) on this example: Jetty 12 ee10, Sluice declared in web.xml. */
class JettyFaultIT extends FaultContract {

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) {
    return JettyExampleIT.container(upstream, settings);
  }

  /** The example's web app behind a connector whose idle timeout is {@code timeout}. */
  @Override
  protected ContainerUnderTest startWithWriteTimeout(URI upstream, Map<String, String> settings,
      Duration timeout) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setIdleTimeout(timeout.toMillis());
    server.addConnector(connector);
    server.setHandler(JettyExample.newWebApp(server, upstream, settings));
    server.start();
    return ContainerUnderTest.of(URI.create("http://127.0.0.1:" + connector.getLocalPort()),
        "/hello", () -> {
          try {
            server.stop();
          } catch (Exception e) {
            throw new IllegalStateException("Jetty failed to stop", e);
          }
        });
  }
}
