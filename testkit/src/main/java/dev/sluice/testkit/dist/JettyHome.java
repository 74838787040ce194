package dev.sluice.testkit.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The stock Jetty 12 distribution ({@code org.eclipse.jetty:jetty-home:<v>:tar.gz}, which the
 * module's build unpacks into {@code <jetty-home.dir>/jetty-home-<v>}: the root pom's {@code
 * jetty-home} execution; the system property {@code jetty-home.dir} defaults to {@code
 * target/jetty-home}, {@code jetty-home.version} picks the release when there are several), run as
 * its documentation says: a {@code JETTY_BASE} set up by {@code java -jar $JETTY_HOME/start.jar
 * --add-modules=...} run in it, the WARs in its {@code webapps/}, then {@code java -jar
 * $JETTY_HOME/start.jar jetty.http.port=<free port> jetty.http.host=127.0.0.1} in it as a process
 * of its own, {@code JAVA_HOME} the test's JVM, stopped by its PID.
 *
 * <pre>{@code
 * Path base = JettyHome.newBase("app", "http,ee10-deploy");
 * DistFiles.copy(war, base.resolve("webapps/app.war"));
 * try (JettyHome jetty = JettyHome.start(base,
 *     Map.of("sluice.upstream", mock.baseUri().toString()), "/app/")) {
 *   ... jetty.root() ...
 * }
 * }</pre>
 *
 * A module of one's own ({@link #addModule}) is a {@code $JETTY_BASE/modules/<name>.mod} enabled
 * with {@code --add-modules=<name>}; start.jar then reads all of it ({@code [depend]}, {@code
 * [lib]}, {@code [xml]}, {@code [ini]}...).
 */
public final class JettyHome extends ServerProcess {
  static final Path DIR = Path.of(System.getProperty("jetty-home.dir", "target/jetty-home"));
  private static final AtomicInteger BASES = new AtomicInteger();
  private static Path home;

  private JettyHome(ProcessBuilder command, Path base, Path console, int port)
      throws IOException {
    super(command, base, console, port);
  }

  /** JETTY_HOME: the unpacked distribution (its bases of earlier test JVMs are deleted). */
  public static synchronized Path home() {
    if (home != null) return home;
    String version = System.getProperty("jetty-home.version");
    List<Path> homes;
    try (Stream<Path> s = Files.isDirectory(DIR) ? Files.list(DIR) : Stream.empty()) {
      homes = s.filter(p -> p.getFileName().toString().startsWith("jetty-home-")
              && (version == null || p.getFileName().toString().equals("jetty-home-" + version))
              && Files.isRegularFile(p.resolve("start.jar")))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (homes.size() != 1) {
      throw new IllegalStateException("no single jetty-home-" + (version == null ? "*" : version)
          + " with a start.jar in " + DIR.toAbsolutePath() + " (" + homes + "): run 'mvn verify',"
          + " whose pre-integration-test phase unpacks the distribution there");
    }
    DistFiles.deleteTree(DIR.resolve("bases"));
    home = homes.get(0).toAbsolutePath();
    return home;
  }

  /** The distribution's release, such as {@code 12.1.12}. */
  public static String version() {
    return home().getFileName().toString().substring("jetty-home-".length());
  }

  /**
   * A new JETTY_BASE with {@code modules} (comma separated, such as {@code http,ee10-deploy})
   * enabled by {@code start.jar --add-modules}, and an empty {@code work/} (Jetty's temporary
   * directory for the web apps, where it unpacks the WARs).
   */
  public static Path newBase(String name, String modules) {
    home();
    Path base = DIR.resolve("bases").resolve(name + "-" + BASES.incrementAndGet()).toAbsolutePath();
    try {
      Files.createDirectories(base.resolve("work"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    startJar(base, "--add-modules=" + modules);
    return base;
  }

  /**
   * Writes {@code $JETTY_BASE/modules/<name>.mod} and enables it ({@code start.jar
   * --add-modules=<name>}); returns start.jar's output.
   */
  public static String addModule(Path base, String name, String moduleFile) {
    try {
      Files.createDirectories(base.resolve("modules"));
      Files.writeString(base.resolve("modules").resolve(name + ".mod"), moduleFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return startJar(base, "--add-modules=" + name);
  }

  /**
   * Runs {@code java -jar $JETTY_HOME/start.jar <args>} in {@code base} to its end, such as
   * {@code --list-config}; returns its output, fails with it unless it exits 0.
   */
  public static String startJar(Path base, String... args) {
    List<String> command = new ArrayList<>(List.of(java(), "-jar",
        home().resolve("start.jar").toString()));
    command.addAll(List.of(args));
    try {
      return DistFiles.run(base, command);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code java <systemProperties as -Dkey=value> -jar $JETTY_HOME/start.jar
   * jetty.http.port=<free port> jetty.http.host=127.0.0.1} in {@code base} and waits until {@code
   * GET readyPath} answers 200.
   */
  public static JettyHome start(Path base, Map<String, String> systemProperties, String readyPath)
      throws IOException, InterruptedException {
    int port = DistFiles.freePort();
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(TomcatDistribution.systemPropertyFlags(systemProperties));
    command.addAll(List.of("-jar", home().resolve("start.jar").toString(),
        "jetty.http.port=" + port, "jetty.http.host=127.0.0.1"));
    Files.createDirectories(base.resolve("logs"));
    JettyHome jetty = new JettyHome(new ProcessBuilder(command).directory(base.toFile()), base,
        base.resolve("logs/console.out"), port);
    jetty.awaitReady(readyPath);
    return jetty;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  public String toString() {
    return "jetty-home-" + version() + " " + root() + " (JETTY_BASE " + base() + ")";
  }
}
