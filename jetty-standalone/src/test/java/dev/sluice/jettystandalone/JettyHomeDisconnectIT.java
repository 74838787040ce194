package dev.sluice.jettystandalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import dev.sluice.testkit.contract.DisconnectContract;
import dev.sluice.testkit.dist.DistFiles;
import dev.sluice.testkit.dist.JettyHome;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Disconnect detection on the stock distribution ({@link JettyHome}), installed as
 * disconnect-jetty/README.md says: the WAR in {@code webapps/}, the detector's jar and
 * filter-core's in {@code $JETTY_BASE/lib/sluice/}, the jar's own {@code
 * jetty/modules/sluice-disconnect-<environment>.mod} in {@code $JETTY_BASE/modules/}, enabled with
 * {@code start.jar --add-modules=http,http2c,<environment>-deploy} then {@code
 * --add-modules=sluice-disconnect-<environment>}. Jetty runs in a process of its own, so only
 * upstream's view is checked, not the exchange records; each HTTP/1.1 test fails without the
 * module (Sluice then sees the close at a later write, or never).
 */
abstract class JettyHomeDisconnectIT extends DisconnectContract {
  /** The jars the build copies there: sluice-disconnect-jetty-*.jar and filter-core-*.jar. */
  static final Path JARS = Path.of(System.getProperty("sluice-disconnect-jetty.dir",
      "target/sluice-disconnect-jetty"));

  private final String environment;
  private JettyHome jetty;

  /** {@code environment}: {@code ee10} or {@code ee11}. */
  JettyHomeDisconnectIT(String environment) {
    this.environment = environment;
  }

  @Override
  protected boolean recordsExchanges() {
    return false;
  }

  @Override
  protected ContainerUnderTest start(URI upstream, Map<String, String> settings) throws Exception {
    assumeThat(environment.equals("ee10") || !JettyHome.version().startsWith("12.0."))
        .as("Jetty 12.0 has no " + environment).isTrue();
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("sluice.upstream", upstream.toString());
    settings.forEach((key, value) -> properties.put("sluice." + key, value));
    Path base = JettyHome.newBase("disconnect-" + environment,
        "http,http2c," + environment + "-deploy");
    DistFiles.copy(JettyRelayIT.WAR, base.resolve("webapps/tomcat-example.war"));
    installDetector(base);
    JettyHome started = JettyHome.start(base, properties, JettyRelayIT.CONTEXT + "/hello");
    if (jetty == null) jetty = started;
    return ContainerUnderTest.of(URI.create(started.root() + JettyRelayIT.CONTEXT), "/hello",
        started::close);
  }

  @Override
  protected ContainerUnderTest startTls(URI upstream, Map<String, String> settings,
      Path keyStore, String password) {
    throw new UnsupportedOperationException("TLS runs on embedded Jetty (JettyDisconnectIT)");
  }

  /**
   * {@code cp sluice-disconnect-jetty-*.jar filter-core-*.jar lib/sluice/}, {@code unzip -j} the
   * environment's module file from the detector's jar into {@code modules/}, {@code start.jar
   * --add-modules=sluice-disconnect-<environment>}.
   */
  private void installDetector(Path base) throws IOException {
    Path detector = jar("sluice-disconnect-jetty-");
    for (Path jar : List.of(detector, jar("filter-core-"))) {
      DistFiles.copy(jar, base.resolve("lib/sluice").resolve(jar.getFileName()));
    }
    String module = "sluice-disconnect-" + environment;
    String text;
    try (FileSystem zip = FileSystems.newFileSystem(detector)) {
      text = Files.readString(zip.getPath("jetty/modules", module + ".mod"));
    }
    assertThat(JettyHome.addModule(base, module, text)).contains(module);
  }

  private static Path jar(String prefix) throws IOException {
    try (Stream<Path> s = Files.list(JARS)) {
      List<Path> found = s.filter(p -> p.getFileName().toString().startsWith(prefix)
          && p.getFileName().toString().endsWith(".jar")).toList();
      assertThat(found).as("%s*.jar in %s (the build's sluice-disconnect-jetty execution)",
          prefix, JARS.toAbsolutePath()).hasSize(1);
      return found.get(0);
    }
  }

  @Test
  void detectorOnTheEnvironmentsClassPath_startupLineNamesIt() throws IOException {
    String config = JettyHome.startJar(jetty.base(), "--list-config");
    int from = config.indexOf("Classpath: " + environment + "\n");
    int to = config.indexOf("\n\n", from);
    assertThat(from).as("a class path of %s in:\n%s", environment, config).isNotNegative();
    assertThat(config.substring(from, to))
        .contains("${jetty.base}/lib/sluice/" + jar("sluice-disconnect-jetty-").getFileName())
        .contains("${jetty.base}/lib/sluice/" + jar("filter-core-").getFileName());
    assertThat(jetty.console())
        .contains("Sluice relaying POST " + JettyRelayIT.CONTEXT + "/v1/messages/** to "
            + mock.baseUri())
        .contains("client disconnects seen: jetty-http1 "
            + "(dev.sluice.disconnect.jetty.JettyDisconnectDetector)");
  }

  @Test
  @Disabled("The stock base has no TLS connector without a key store of its own; TLS runs on "
      + "embedded Jetty (jetty-example's JettyDisconnectIT), the same detector")
  @Override
  protected void tls_keepAliveAndDetection() {}

  @Test
  @Disabled("Counts this JVM's descriptors and threads, and Jetty runs in another process; see "
      + "jetty-example's JettyDisconnectIT")
  @Override
  protected void thousandArmedExchanges_leaveNoDescriptorOrThread() {}
}
