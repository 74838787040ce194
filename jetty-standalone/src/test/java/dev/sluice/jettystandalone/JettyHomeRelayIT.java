package dev.sluice.jettystandalone;

import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sluice.testkit.dist.DistFiles;
import dev.sluice.testkit.dist.JettyHome;
import dev.sluice.testkit.dist.ServerProcess;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link JettyRelayIT} on the stock distribution ({@link JettyHome}): a {@code JETTY_BASE} made
 * by {@code java -jar $JETTY_HOME/start.jar --add-modules=http,<environment>-deploy}, the WAR
 * copied into its {@code webapps/}, and {@code java -Dsluice.upstream=... -jar
 * $JETTY_HOME/start.jar jetty.http.port=<port> jetty.http.host=127.0.0.1}.
 */
abstract class JettyHomeRelayIT extends JettyRelayIT {
  private Path base;

  JettyHomeRelayIT(String environment) {
    super(environment);
  }

  @Override
  ServerProcess startJetty(Map<String, String> properties) throws Exception {
    assumeThat(environment().equals("ee10") || !JettyHome.version().startsWith("12.0."))
        .as("Jetty 12.0 has no " + environment()).isTrue();
    base = JettyHome.newBase(environment(), "http," + environment() + "-deploy");
    DistFiles.copy(WAR, base.resolve("webapps/tomcat-example.war"));
    return JettyHome.start(base, properties, CONTEXT + "/hello");
  }

  @Override
  String startedLine() {
    return ":oejs.Server:main: jetty-" + JettyHome.version() + ";";
  }

  /** The {@code Classpath: <environment>} section of {@code start.jar --list-config}. */
  @Override
  String environmentClassPath() {
    String config = JettyHome.startJar(base, "--list-config");
    int from = config.indexOf("Classpath: " + environment() + "\n");
    int to = config.indexOf("\n\n", from);
    if (from < 0 || to < 0) throw new AssertionError("no class path of " + environment() + ":\n"
        + config);
    return config.substring(from, to);
  }
}
