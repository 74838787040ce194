package dev.sluice.jettystandalone;

import dev.sluice.testkit.dist.DistFiles;
import dev.sluice.testkit.dist.ServerProcess;
import dev.sluice.testkit.dist.StandaloneJetty;
import java.nio.file.Path;
import java.util.Map;

/** {@link JettyRelayIT} on Jetty 12.1.14 assembled from Maven Central's jars ({@link StandaloneJetty}). */
abstract class StandaloneJettyRelayIT extends JettyRelayIT {
  StandaloneJettyRelayIT(String environment) {
    super(environment);
  }

  @Override
  ServerProcess startJetty(Map<String, String> properties) throws Exception {
    Path base = StandaloneJetty.newBase(environment());
    DistFiles.copy(WAR, base.resolve("webapps/tomcat-example.war"));
    return StandaloneJetty.start(base, environment(), properties, CONTEXT + "/hello");
  }

  @Override
  String startedLine() {
    return "StandaloneJetty 12.1.14 (" + environment() + ") started";
  }

  @Override
  String environmentClassPath() {
    return DistFiles.list(StandaloneJetty.home().resolve("lib").resolve(environment()));
  }
}
