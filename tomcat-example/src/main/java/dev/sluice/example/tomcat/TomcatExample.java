package dev.sluice.example.tomcat;

import dev.sluice.example.ExampleMain;
import dev.sluice.example.Options;
import dev.sluice.example.RunningApp;
import jakarta.servlet.Servlet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Constants;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * An "existing web app" on embedded Tomcat 11 with Sluice added the way a user would add it: one
 * {@code <filter>} in {@code WEB-INF/web.xml}. The web app is the class-path folder {@code
 * webapp/} (the same files as the WAR, {@code src/main/webapp}); it is copied to a temporary
 * directory at start, so the same code serves it from {@code target/classes} and from the shaded
 * jar.
 *
 * <p>Run {@code java -jar tomcat-example.jar --help} for the command line.
 */
public final class TomcatExample {

  /**
   * Tomcat's connection timeout (the time to receive a request's headers, the keep-alive timeout
   * between requests, and how long a pending write may wait for a client that does not read).
   * It is not an idle timeout on a running async request: while Sluice waits for upstream, the
   * socket is not polled, so a stream that is silent for minutes is not cut by it. The 30 s
   * async timeout that would cut it ({@code Connector asyncTimeout}) is left at Tomcat's default
   * on purpose: Sluice switches it off for its own requests ({@code AsyncContext.setTimeout(0)})
   * and owns the timeouts (headers-timeout, idle-timeout).
   */
  static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(60);

  private static final String WEBAPP_RESOURCE = "webapp/";
  private static final String WEB_XML = WEBAPP_RESOURCE + "WEB-INF/web.xml";
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private TomcatExample() {}

  /** A started server. {@link #close()} stops it; it is safe to call more than once. */
  public interface Running extends RunningApp {}

  /**
   * Starts the example app on {@code 127.0.0.1}, at the root context path.
   *
   * @param port the port to bind, or 0 for an ephemeral one
   * @param upstream the Anthropic API (or a mock) that Sluice relays to; becomes the context
   *     init-param {@code sluice.upstream} (unless {@code settings} has an {@code upstream} list)
   * @param settings further Sluice settings, each becoming the context init-param {@code
   *     sluice.<key>} (for example {@code "idle-timeout" -> "5m"})
   * @throws IllegalStateException if Tomcat or the web app (for example the filter, on an
   *     invalid setting) fails to start
   */
  public static Running start(int port, URI upstream, Map<String, String> settings) {
    return start(port, upstream, settings, (connector, context) -> {});
  }

  /**
   * {@link #start(int, URI, Map)}, with further servlets mounted beside the app's own, by path
   * (the {@code --diagnostics} servlet).
   */
  public static Running start(int port, URI upstream, Map<String, String> settings,
      Map<String, Servlet> servlets) {
    Objects.requireNonNull(servlets, "servlets == null");
    return start(port, upstream, settings, (connector, context) -> servlets.forEach(
        (path, servlet) -> {
          // async: the ceiling servlet holds requests open
          Tomcat.addServlet(context, path, servlet).setAsyncSupported(true);
          context.addServletMappingDecoded(path, path);
        }));
  }

  /**
   * {@link #start(int, URI, Map)}, with a last look at the connector and the web app's context
   * before Tomcat starts (tests use it to shorten the connector's async timeout, or to add a
   * probe servlet).
   */
  static Running start(int port, URI upstream, Map<String, String> settings,
      BiConsumer<Connector, Context> tuning) {
    Objects.requireNonNull(upstream, "upstream == null");
    Objects.requireNonNull(settings, "settings == null");
    Objects.requireNonNull(tuning, "tuning == null");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);

    Path base;
    try {
      base = Files.createTempDirectory("tomcat-example-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Tomcat's base directory", e);
    }
    Tomcat tomcat = new Tomcat();
    TomcatRunning running = new TomcatRunning(tomcat, base);
    // If the JVM is stopped first (Ctrl-C, SIGTERM, even during start-up), the hook closes this
    // instance: Tomcat stops, then its temporary directory goes. close() unregisters it.
    Runtime.getRuntime().addShutdownHook(running.hook);
    synchronized (running) { // the hook waits for start-up to finish or fail
      try {
        Path docBase = extractWebapp(base.resolve("webapp"));
        // Tomcat takes CATALINA_HOME from the JVM-wide system property catalina.home, which the
        // first embedded Tomcat of the JVM sets to its own directory, and creates that directory
        // if it is missing: a later instance would bring back an earlier one's deleted directory.
        // Each instance here is its own home and base.
        System.setProperty("catalina.home", base.toString());
        tomcat.setBaseDir(base.toString());
        // Each instance is its own JMX domain, so that several can run in one JVM (tests do).
        int n = INSTANCES.incrementAndGet();
        String engine = n == 1 ? "tomcat-example" : "tomcat-example-" + n;
        tomcat.getEngine().setName(engine);

        Connector connector = new Connector("HTTP/1.1"); // NIO
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("connectionTimeout", String.valueOf(CONNECTION_TIMEOUT.toMillis()));
        connector.setThrowOnFailure(true); // a taken port fails start() instead of being logged
        tomcat.setConnector(connector);
        tomcat.getHost().setAutoDeploy(false);

        Context context = newWebApp(tomcat, docBase, upstream, settings);
        tuning.accept(connector, context);

        StartFailure failure = new StartFailure(engine);
        try {
          tomcat.start();
        } finally {
          failure.close();
        }
        if (context.getState() != LifecycleState.STARTED) {
          throw new IllegalStateException("Tomcat failed to start the web app on 127.0.0.1:"
              + port + " (state " + context.getState() + ")", failure.cause());
        }
        running.port = connector.getLocalPort();
        return running;
      } catch (LifecycleException | IOException | RuntimeException e) {
        running.closeQuietly();
        if (e instanceof IllegalStateException) throw (IllegalStateException) e;
        throw new IllegalStateException("Tomcat failed to start on 127.0.0.1:" + port, e);
      }
    }
  }

  static Context newWebApp(Tomcat tomcat, Path docBase, URI upstream, Map<String, String> settings) {
    // web.xml only: no default web.xml of Tomcat's (its JSP servlet would fail to load: there is
    // no Jasper here), no scanning of the class path for TLDs or fragments. Tomcat's default
    // servlet is added back below, for index.html and the welcome file.
    tomcat.setAddDefaultWebXmlToWebapp(false);
    ContextConfig config = new ContextConfig();
    config.setDefaultWebXml(Constants.NoDefaultWebXml);
    StandardContext context =
        (StandardContext) tomcat.addWebapp(tomcat.getHost(), "", docBase.toString(), config);
    context.addLifecycleListener(event -> {
      if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
        addDefaultServlet(context);
      }
    });
    StandardJarScanner scanner = new StandardJarScanner();
    scanner.setScanClassPath(false);
    scanner.setScanManifest(false);
    context.setJarScanner(scanner);
    // The filter and the app's servlet come from the application class path (the shaded jar, or
    // target/classes in tests), not from a WEB-INF/lib of their own; parent-first, so that the
    // web app's class loader (which Sluice hands to ServiceLoader) finds the same classes.
    context.setParentClassLoader(TomcatExample.class.getClassLoader());
    context.setDelegate(true);

    Map<String, String> params = new LinkedHashMap<>();
    settings.forEach((key, value) -> params.put("sluice." + key, value));
    params.putIfAbsent("sluice.upstream", upstream.toString()); // a list in settings wins
    params.forEach(context::addParameter);
    return context;
  }

  /** What Tomcat's default web.xml would add, less the JSP servlet. */
  private static void addDefaultServlet(Context context) {
    Wrapper servlet =
        Tomcat.addServlet(context, "default", "org.apache.catalina.servlets.DefaultServlet");
    servlet.addInitParameter("listings", "false");
    servlet.setLoadOnStartup(1);
    servlet.setOverridable(true);
    context.addServletMappingDecoded("/", "default");
    Tomcat.addDefaultMimeTypeMappings(context);
  }

  /** Copies the class-path folder {@code webapp/} (a directory, or inside a jar) to {@code to}. */
  static Path extractWebapp(Path to) throws IOException {
    URL url = TomcatExample.class.getClassLoader().getResource(WEB_XML);
    if (url == null) {
      throw new IllegalStateException("classpath resource '" + WEB_XML + "' not found");
    }
    URI uri;
    try {
      uri = url.toURI();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("odd class-path URL " + url, e);
    }
    if ("file".equals(uri.getScheme())) {
      copyTree(Path.of(uri).getParent().getParent(), to);
    } else if ("jar".equals(uri.getScheme())) {
      FileSystem jar;
      boolean opened = false;
      try {
        jar = FileSystems.newFileSystem(uri, Map.of());
        opened = true;
      } catch (FileSystemAlreadyExistsException e) {
        jar = FileSystems.getFileSystem(uri);
      }
      try {
        copyTree(jar.getPath("/" + WEBAPP_RESOURCE), to);
      } finally {
        if (opened) jar.close();
      }
    } else {
      throw new IllegalStateException("cannot read the web app from " + url);
    }
    return to;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(from)) {
      paths = walk.toList();
    }
    for (Path source : paths) {
      Path target = to.resolve(from.relativize(source).toString());
      if (Files.isDirectory(source)) {
        Files.createDirectories(target);
      } else {
        Files.createDirectories(target.getParent());
        Files.copy(source, target);
      }
    }
  }

  /**
   * Tomcat logs an exception thrown while the web app starts (say, by the filter's init on an
   * invalid setting) and marks the context FAILED, rather than throwing it from start(). This
   * catches the first such exception logged for this engine, to be the cause of the
   * IllegalStateException that start() throws.
   */
  private static final class StartFailure extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("org.apache.catalina");
    private final String engine;
    private volatile Throwable cause;

    StartFailure(String engine) {
      this.engine = "[" + engine + "]";
      logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
      if (cause == null && record.getThrown() != null
          && record.getLevel().intValue() >= Level.SEVERE.intValue()
          && record.getLoggerName() != null && record.getLoggerName().contains(engine)) {
        cause = record.getThrown();
      }
    }

    Throwable cause() {
      return cause;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) return;
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
    } catch (IOException | UncheckedIOException ignored) {
      return;
    }
    for (Path p : paths) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // A temporary directory; the OS reclaims what is left.
      }
    }
  }

  private static final class TomcatRunning implements Running {
    private final Tomcat tomcat;
    private final Path base;
    final Thread hook = new Thread(this::closeQuietly, "tomcat-example-stop-on-exit");
    private int port; // guarded by this
    private boolean closed; // guarded by this

    TomcatRunning(Tomcat tomcat, Path base) {
      this.tomcat = tomcat;
      this.base = base;
    }

    @Override
    public synchronized URI baseUri() {
      return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public synchronized int port() {
      return port;
    }

    /** Stops Tomcat, then deletes its directory; the second and later calls do nothing. */
    @Override
    public synchronized void close() {
      if (closed) return;
      closed = true;
      try {
        tomcat.stop();
        tomcat.destroy();
      } catch (LifecycleException e) {
        throw new IllegalStateException("Tomcat failed to stop", e);
      } finally {
        deleteQuietly(base);
        if (Thread.currentThread() != hook) {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway, and finds this closed.
          }
        }
      }
    }

    void closeQuietly() {
      try {
        close();
      } catch (RuntimeException ignored) {
        // Failing already (start-up) or exiting: the directory is gone either way.
      }
    }

    @Override
    public String toString() {
      return "TomcatExample" + baseUri();
    }
  }

  /**
   * {@code java -jar tomcat-example.jar [--port N] [--upstream URL[,URL...]] [--hooks a,b]
   * [--model-aliases a=m] [--diagnostics]}. Without {@code --upstream} a mock Anthropic API runs
   * in-process, so the example works offline. Without {@code --model-aliases} the example sets
   * {@code model-aliases} to {@value Options#DEFAULT_MODEL_ALIASES}; see {@link ExampleMain}.
   */
  public static void main(String[] args) throws InterruptedException {
    ExampleMain.main("tomcat-example", args, TomcatExample::start);
  }
}
