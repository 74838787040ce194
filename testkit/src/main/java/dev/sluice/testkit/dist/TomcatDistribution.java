package dev.sluice.testkit.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A stock Apache Tomcat 11 from Maven Central ({@code org.apache.tomcat:tomcat:<v>:tar.gz}, which
 * the module's build copies to {@code <real-tomcat.dir>/tomcat.tar.gz}; the system property
 * {@code real-tomcat.dir} defaults to {@code target/real-tomcat}), run as a user runs it: {@code
 * bin/catalina.sh run} in its own JVM, {@code JAVA_HOME} the test's JVM.
 *
 * <p>The distribution is unpacked once per test JVM into {@code <real-tomcat.dir>/dist}. An
 * instance runs either on the distribution itself ({@code CATALINA_BASE = CATALINA_HOME}, the
 * WAR dropped into its {@code webapps/} next to Tomcat's own apps), or on a base directory of its
 * own ({@link #newBase}: Tomcat's documented way to run several instances from one install).
 * Either way only {@code conf/server.xml} is edited: a free HTTP port, bound to 127.0.0.1, and no
 * shutdown port.
 *
 * <pre>{@code
 * Path base = TomcatDistribution.newBase("app");
 * DistFiles.copy(war, base.resolve("webapps/app.war"));
 * try (TomcatDistribution tomcat = TomcatDistribution.start(base,
 *     Map.of("sluice.upstream", mock.baseUri().toString()), "", "/app/")) {
 *   ... tomcat.root() ...
 * }
 * }</pre>
 */
public final class TomcatDistribution extends ServerProcess {
  static final Path DIR = Path.of(System.getProperty("real-tomcat.dir", "target/real-tomcat"));
  static final Path TARBALL = DIR.resolve("tomcat.tar.gz");

  /** The statuses after which Tomcat closes the connection (Http11Processor). */
  private static final Set<Integer> CLOSING_STATUSES = Set.of(400, 408, 411, 413, 414, 500, 501,
      503);
  private static final String STOCK_SHUTDOWN = "<Server port=\"8005\" shutdown=\"SHUTDOWN\">";
  private static final String STOCK_CONNECTOR = "<Connector port=\"8080\" protocol=\"HTTP/1.1\"";
  private static final AtomicInteger BASES = new AtomicInteger();
  private static Path home;
  private static String stockServerXml;

  private TomcatDistribution(ProcessBuilder command, Path base, Path console, int port)
      throws IOException {
    super(command, base, console, port);
  }

  /** CATALINA_HOME: the unpacked distribution (fresh for each test JVM). */
  public static synchronized Path home() {
    if (home != null) return home;
    if (!Files.isRegularFile(TARBALL)) {
      throw new IllegalStateException(TARBALL + " is missing: run 'mvn verify', whose "
          + "pre-integration-test phase copies the Tomcat distribution there");
    }
    Path dist = DIR.resolve("dist");
    DistFiles.deleteTree(dist);
    DistFiles.deleteTree(DIR.resolve("bases"));
    try {
      Files.createDirectories(dist);
      // The system tar keeps the archive's file modes (bin/*.sh are executable).
      DistFiles.run(List.of("tar", "-xzf", TARBALL.toAbsolutePath().toString(), "-C",
          dist.toAbsolutePath().toString(), "--strip-components=1"));
      stockServerXml = Files.readString(dist.resolve("conf/server.xml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!stockServerXml.contains(STOCK_SHUTDOWN) || !stockServerXml.contains(STOCK_CONNECTOR)) {
      throw new IllegalStateException("conf/server.xml is not the stock one this test edits");
    }
    home = dist.toAbsolutePath();
    return home;
  }

  /**
   * A new CATALINA_BASE: Tomcat's stock {@code conf/} and empty {@code lib/}, {@code logs/},
   * {@code temp/}, {@code webapps/} and {@code work/}.
   */
  public static Path newBase(String name) {
    Path h = home();
    Path base = DIR.resolve("bases").resolve(name + "-" + BASES.incrementAndGet()).toAbsolutePath();
    try {
      for (String dir : List.of("conf", "lib", "logs", "temp", "webapps", "work")) {
        Files.createDirectories(base.resolve(dir));
      }
      try (Stream<Path> conf = Files.list(h.resolve("conf"))) {
        for (Path f : conf.filter(Files::isRegularFile).toList()) {
          Files.copy(f, base.resolve("conf").resolve(f.getFileName()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return base;
  }

  /**
   * Starts {@code bin/catalina.sh run} on {@code base}, with {@code systemProperties} as {@code
   * -Dkey=value} in {@code CATALINA_OPTS}, and waits until {@code GET readyPath} answers 200.
   * {@code connectorAttributes} are added to the HTTP connector in server.xml (e.g. {@code
   * asyncTimeout="1000"}), or empty.
   */
  public static TomcatDistribution start(Path base, Map<String, String> systemProperties,
      String connectorAttributes, String readyPath) throws IOException, InterruptedException {
    Path h = home();
    int port = DistFiles.freePort();
    String connector = "<Connector port=\"" + port + "\" address=\"127.0.0.1\""
        + (connectorAttributes.isBlank() ? "" : " " + connectorAttributes.trim())
        + " protocol=\"HTTP/1.1\"";
    Files.writeString(base.resolve("conf/server.xml"), stockServerXml
        .replace(STOCK_SHUTDOWN, "<Server port=\"-1\" shutdown=\"SHUTDOWN\">")
        .replace(STOCK_CONNECTOR, connector));

    ProcessBuilder pb = new ProcessBuilder(h.resolve("bin/catalina.sh").toString(), "run")
        .directory(base.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CATALINA_") || k.startsWith("JPDA_")
        || k.equals("JRE_HOME"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("CATALINA_HOME", h.toString());
    env.put("CATALINA_BASE", base.toString());
    env.put("CATALINA_OPTS", String.join(" ", systemPropertyFlags(systemProperties)));
    TomcatDistribution tomcat =
        new TomcatDistribution(pb, base, base.resolve("logs/console.out"), port);
    tomcat.awaitReady(readyPath);
    return tomcat;
  }

  /** {@code -Dkey=value} each, refusing what a shell would split or expand. */
  static List<String> systemPropertyFlags(Map<String, String> systemProperties) {
    List<String> opts = new ArrayList<>();
    systemProperties.forEach((k, v) -> {
      if (!(k + v).matches("[A-Za-z0-9._:/=,*@+\\-]*")) {
        throw new IllegalArgumentException("not safe for a command line: " + k + "=" + v);
      }
      opts.add("-D" + k + "=" + v);
    });
    return opts;
  }

  @Override
  public String toString() {
    return "Tomcat " + root() + " (CATALINA_BASE " + base() + ")";
  }

  /** Whether Tomcat closes the connection after a response with this status, app or not. */
  public static boolean dropsConnection(int status) {
    return CLOSING_STATUSES.contains(status);
  }
}
