package dev.sluice.testkit.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jetty 12 as a server of its own: a JVM whose class path holds only Jetty's jars from Maven
 * Central, serving the WARs of a {@code JETTY_BASE}'s {@code webapps/} in the {@code ee10} or
 * {@code ee11} environment, started on a free port and stopped by its PID.
 *
 * <p>Why not {@code jetty-home} and {@code start.jar}: the build machines reach a Maven Central
 * that does not serve {@code org.eclipse.jetty:jetty-home}, {@code jetty-start} nor {@code
 * jetty-deploy} (RATIONALE.md). This harness lays out the same pieces from the artifacts that
 * are served: the module's build copies Jetty's jars (the {@code standalone-jetty} execution of
 * the root pom) into {@code <standalone-jetty.dir>/lib/core}, {@code lib/ee10}, {@code lib/ee11}
 * and {@code lib/ee10-annotations} (the system property defaults to {@code
 * target/standalone-jetty}), and {@link
 * JettyLauncher} builds the server that {@code --add-modules=http,ee10-deploy} builds. What a
 * WAR sees is Jetty's own: the environment's {@code WebAppContext}, its {@code webdefault}
 * descriptor, class loader, fragment and {@code ServletContainerInitializer} handling.
 *
 * <p>A base may carry Jetty module files ({@link #addModule}): of each {@code
 * $JETTY_BASE/modules/*.mod}, the {@code [lib]} entries join the server class path and the
 * {@code [xml]} files are applied to the server, as {@code start.jar} does for an enabled module
 * ({@code [depend]}, {@code [ini]} and the rest are not read). Paths in them are relative to the
 * base, then to the home; a last segment may be {@code *.jar}.
 *
 * <pre>{@code
 * Path base = StandaloneJetty.newBase("app");
 * DistFiles.copy(war, base.resolve("webapps/app.war"));
 * try (StandaloneJetty jetty = StandaloneJetty.start(base, "ee10",
 *     Map.of("sluice.upstream", mock.baseUri().toString()), "/app/")) {
 *   ... jetty.root() ...
 * }
 * }</pre>
 */
public final class StandaloneJetty extends ServerProcess {
  static final Path DIR =
      Path.of(System.getProperty("standalone-jetty.dir", "target/standalone-jetty"));
  private static final AtomicInteger BASES = new AtomicInteger();
  private static Path launcher;

  private final String environment;

  private StandaloneJetty(ProcessBuilder command, Path base, Path console, int port,
      String environment) throws IOException {
    super(command, base, console, port);
    this.environment = environment;
  }

  /**
   * JETTY_HOME: {@code lib/core}, {@code lib/ee10}, {@code lib/ee11} and {@code
   * lib/ee10-annotations}, as the build copied them.
   */
  public static Path home() {
    Path home = DIR.toAbsolutePath();
    for (String lib : List.of("core", "ee10", "ee11", "ee10-annotations")) {
      if (DistFiles.files(home.resolve("lib").resolve(lib), ".jar").isEmpty()) {
        throw new IllegalStateException(home.resolve("lib").resolve(lib) + " has no jars: run "
            + "'mvn verify', whose pre-integration-test phase copies Jetty's jars there");
      }
    }
    return home;
  }

  /** A new, empty JETTY_BASE: {@code webapps/}, {@code modules/}, {@code lib/}, {@code logs/}, {@code work/}. */
  public static Path newBase(String name) {
    Path base = DIR.resolve("bases").resolve(name + "-" + BASES.incrementAndGet()).toAbsolutePath();
    try {
      DistFiles.deleteTree(base);
      for (String dir : List.of("webapps", "modules", "lib", "etc", "logs", "work")) {
        Files.createDirectories(base.resolve(dir));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return base;
  }

  /** Writes {@code $JETTY_BASE/modules/<name>.mod}, a Jetty module file, enabled for this base. */
  public static Path addModule(Path base, String name, String moduleFile) {
    Path mod = base.resolve("modules").resolve(name + ".mod");
    try {
      Files.writeString(mod, moduleFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return mod;
  }

  /**
   * Enables the {@code ee10-annotations} module on an ee10 base, as {@code
   * --add-modules=ee10-annotations} does: its jars ({@code lib/ee10-annotations}, with {@code
   * ee10-plus}) on the server class path, so that web apps' {@code ServletContainerInitializer}s
   * run and their annotated classes are scanned.
   */
  public static void addAnnotationsModule(Path base) {
    addModule(base, "ee10-annotations", String.join("\n",
        "[description]",
        "Jetty's annotations support for ee10 web apps (with ee10-plus).",
        "[lib]",
        "lib/ee10-annotations/*.jar",
        ""));
  }

  /**
   * Starts Jetty on {@code base} in {@code environment} ({@code ee10} or {@code ee11}), with
   * {@code systemProperties} as {@code -Dkey=value}, and waits until {@code GET readyPath}
   * answers 200.
   */
  public static StandaloneJetty start(Path base, String environment,
      Map<String, String> systemProperties, String readyPath)
      throws IOException, InterruptedException {
    if (!environment.equals("ee10") && !environment.equals("ee11")) {
      throw new IllegalArgumentException("environment: ee10 or ee11, not " + environment);
    }
    Path home = home();
    List<String> classPath = new ArrayList<>();
    classPath.add(launcherDir().toString());
    classPath.add(home.resolve("lib/core").toString() + "/*");
    classPath.add(home.resolve("lib").resolve(environment).toString() + "/*");
    List<String> xml = new ArrayList<>();
    for (Path mod : DistFiles.files(base.resolve("modules"), ".mod")) {
      ModuleFile module = ModuleFile.read(mod);
      for (String lib : module.lib()) {
        classPath.add(resolve(lib, base, home));
      }
      for (String file : module.xml()) {
        xml.add(resolve(file, base, home));
      }
    }
    int port = DistFiles.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Djava.io.tmpdir=" + base.resolve("work"));
    command.addAll(TomcatDistribution.systemPropertyFlags(systemProperties));
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, classPath));
    command.add(JettyLauncher.class.getName());
    command.add(String.valueOf(port));
    command.add(environment);
    command.add(base.toString());
    command.addAll(xml);
    ProcessBuilder pb = new ProcessBuilder(command).directory(base.toFile());
    StandaloneJetty jetty = new StandaloneJetty(pb, base, base.resolve("logs/console.out"), port,
        environment);
    jetty.awaitReady(readyPath);
    return jetty;
  }

  /** A module path relative to the base, else to the home; {@code dir/*.jar} as a class-path glob. */
  private static String resolve(String entry, Path base, Path home) {
    boolean glob = entry.endsWith("/*.jar");
    String path = glob ? entry.substring(0, entry.length() - "/*.jar".length()) : entry;
    Path found = Files.exists(base.resolve(path)) ? base.resolve(path) : home.resolve(path);
    if (!Files.exists(found)) {
      throw new IllegalStateException("module entry " + entry + " is in neither " + base
          + " nor " + home);
    }
    return glob ? found + "/*" : found.toString();
  }

  /** The launcher's class file, alone in a directory: nothing else of testkit on Jetty's class path. */
  private static synchronized Path launcherDir() throws IOException {
    if (launcher != null) return launcher;
    String name = JettyLauncher.class.getName().replace('.', '/') + ".class";
    Path dir = DIR.resolve("launcher").toAbsolutePath();
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    try (InputStream in = JettyLauncher.class.getClassLoader().getResourceAsStream(name)) {
      Files.write(file, in.readAllBytes());
    }
    launcher = dir;
    return dir;
  }

  /** {@code ee10} or {@code ee11}. */
  public String environment() {
    return environment;
  }

  @Override
  public String toString() {
    return "Jetty " + environment + " " + root() + " (JETTY_BASE " + base() + ")";
  }
}
