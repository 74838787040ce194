package dev.sluice.example.tomcat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A stock Apache Tomcat 11 from Maven Central ({@code org.apache.tomcat:tomcat:<v>:tar.gz}, which
 * the build copies to {@code target/real-tomcat/tomcat.tar.gz}), run as a user runs it: {@code
 * bin/catalina.sh run} in its own JVM, {@code JAVA_HOME} the test's JVM.
 *
 * <p>The distribution is unpacked once per test JVM into {@code target/real-tomcat/dist}. An
 * instance runs either on the distribution itself ({@code CATALINA_BASE = CATALINA_HOME}, the
 * WAR dropped into its {@code webapps/} next to Tomcat's own apps), or on a base directory of its
 * own ({@code CATALINA_BASE}, Tomcat's documented way to run several instances from one
 * install). Either way only {@code conf/server.xml} is edited: a free HTTP port, bound to
 * 127.0.0.1, and no shutdown port.
 */
final class Catalina implements AutoCloseable {
  static final Path DIR = Path.of(System.getProperty("real-tomcat.dir", "target/real-tomcat"));
  static final Path TARBALL = DIR.resolve("tomcat.tar.gz");
  static final Path WAR = Path.of("target", "tomcat-example.war");
  static final Duration STARTUP = Duration.ofSeconds(90);

  /** The statuses after which Tomcat closes the connection (Http11Processor). */
  private static final Set<Integer> CLOSING_STATUSES = Set.of(400, 408, 411, 413, 414, 500, 501,
      503);
  private static final String STOCK_SHUTDOWN = "<Server port=\"8005\" shutdown=\"SHUTDOWN\">";
  private static final String STOCK_CONNECTOR = "<Connector port=\"8080\" protocol=\"HTTP/1.1\"";
  private static final AtomicInteger BASES = new AtomicInteger();
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static Path home;
  private static String stockServerXml;

  static {
    // If the test JVM dies or is stopped, no Tomcat outlives it.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Catalina::kill),
        "real-tomcat-reaper"));
  }

  private final Process process;
  private final Path base;
  private final Path console;
  private final int port;

  private Catalina(Process process, Path base, Path console, int port) {
    this.process = process;
    this.base = base;
    this.console = console;
    this.port = port;
  }

  /** CATALINA_HOME: the unpacked distribution (fresh for each test JVM). */
  static synchronized Path home() {
    if (home != null) return home;
    if (!Files.isRegularFile(TARBALL)) {
      throw new IllegalStateException(TARBALL + " is missing: run 'mvn verify', whose "
          + "pre-integration-test phase copies the Tomcat distribution there");
    }
    Path dist = DIR.resolve("dist");
    deleteTree(dist);
    deleteTree(DIR.resolve("bases"));
    try {
      Files.createDirectories(dist);
      // The system tar keeps the archive's file modes (bin/*.sh are executable).
      run(List.of("tar", "-xzf", TARBALL.toAbsolutePath().toString(), "-C",
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
  static Path newBase(String name) {
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
  static Catalina start(Path base, Map<String, String> systemProperties,
      String connectorAttributes, String readyPath) throws IOException, InterruptedException {
    Path h = home();
    int port = freePort();
    String connector = "<Connector port=\"" + port + "\" address=\"127.0.0.1\""
        + (connectorAttributes.isBlank() ? "" : " " + connectorAttributes.trim())
        + " protocol=\"HTTP/1.1\"";
    Files.writeString(base.resolve("conf/server.xml"), stockServerXml
        .replace(STOCK_SHUTDOWN, "<Server port=\"-1\" shutdown=\"SHUTDOWN\">")
        .replace(STOCK_CONNECTOR, connector));

    List<String> opts = new ArrayList<>();
    systemProperties.forEach((k, v) -> {
      if (!(k + v).matches("[A-Za-z0-9._:/=,*@+\\-]*")) {
        throw new IllegalArgumentException("not safe for CATALINA_OPTS: " + k + "=" + v);
      }
      opts.add("-D" + k + "=" + v);
    });
    Path console = base.resolve("logs/console.out");
    ProcessBuilder pb = new ProcessBuilder(h.resolve("bin/catalina.sh").toString(), "run")
        .directory(base.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(console.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SLUICE_") || k.startsWith("CATALINA_")
        || k.startsWith("JPDA_") || k.equals("JAVA_OPTS") || k.equals("JRE_HOME"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("CATALINA_HOME", h.toString());
    env.put("CATALINA_BASE", base.toString());
    env.put("CATALINA_OPTS", String.join(" ", opts));
    Process process = pb.start();
    LIVE.add(process);
    Catalina tomcat = new Catalina(process, base, console, port);
    try {
      tomcat.awaitReady(readyPath);
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      tomcat.close();
      throw e;
    }
    return tomcat;
  }

  /** {@code http://127.0.0.1:<port>} */
  URI root() {
    return URI.create("http://127.0.0.1:" + port);
  }

  Path base() {
    return base;
  }

  /** What Tomcat printed on its console (stdout and stderr) so far. */
  String console() {
    try {
      return Files.readString(console, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no console output: " + e + ")";
    }
  }

  private void awaitReady(String path) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe = HttpRequest.newBuilder(URI.create(root() + path))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("Tomcat exited with " + process.exitValue() + " before "
            + path + " answered; console:\n" + console());
      }
      try {
        HttpResponse<String> r = http.send(probe, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return;
        last = "status " + r.statusCode();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("Tomcat did not serve " + path + " within " + STARTUP + " ("
        + last + "); console:\n" + console());
  }

  /** Stops Tomcat as Ctrl-C would (SIGTERM: catalina.sh has exec'd the JVM), then forcibly. */
  @Override
  public void close() {
    try {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill(process);
      }
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(process);
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + command, e);
    }
  }

  static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(", "));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "Tomcat " + root() + " (CATALINA_BASE " + base + ")";
  }

  /** Whether Tomcat closes the connection after a response with this status, app or not. */
  static boolean dropsConnection(int status) {
    return CLOSING_STATUSES.contains(status);
  }
}
