package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The systems under test, and how each is started in a process of its own. */
final class Targets {
  /** What a run without --targets measures. */
  static final List<String> DEFAULT = List.of("direct", "ceiling-jetty", "ceiling-tomcat",
      "sluice-jetty", "sluice-tomcat", "sluice-hooks", "sluice-legacy", "jetty-proxy", "nginx",
      "direct-tls", "sluice-jetty-tls", "sluice-tomcat-tls", "nginx-tls");
  /**
   * Run when named: upstream transport variants of sluice-jetty; the failover decorator on one
   * upstream with and without its commit gate (what the gate adds to TTFT); the telemetry hooks.
   */
  static final List<String> EXTRA = List.of("sluice-jdk", "sluice-jdk-fj2", "sluice-jdk-pool",
      "sluice-jdk-cached", "sluice-jdk-tls", "sluice-retry-nogate", "sluice-retry-gate",
      "sluice-micrometer", "sluice-otel", "baseline-jetty");
  /** The OpenTelemetry SDK building spans and metrics, exporting nothing. */
  static final List<String> OTEL_NO_EXPORT = List.of(
      "-Dotel.java.global-autoconfigure.enabled=true", "-Dotel.traces.exporter=none",
      "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none");
  /** Makes CompletableFuture's default executor the common pool on a 2-CPU machine. */
  static final String COMMON_POOL_2 = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2";
  static final List<String> ALL = concat(DEFAULT, EXTRA);
  static final String HOOKS = "usage-log,cost-in-usage,model-alias";
  static final String MESSAGES = "/v1/messages";
  private static final Pattern LISTENING =
      Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");
  private static final long START_TIMEOUT_MS = 60_000;

  private Targets() {}

  /** A started target. {@code pids} is empty for {@code direct}. */
  interface Running extends AutoCloseable {
    InetSocketAddress address();

    List<Long> pids();

    /** The request path the target answers the Messages API on. */
    default String path() {
      return MESSAGES;
    }

    /** The example app's diagnostics endpoint, or null when the target has none. */
    default URI diagnostics() {
      return null;
    }

    @Override
    void close();
  }

  /**
   * What a target needs to start, or why it cannot. {@code path}: where it answers the Messages
   * API; {@code diagnostics}: whether it serves the example's diagnostics; {@code tls}: whether
   * the client talks TLS to it ({@code direct-tls}: only wrk can).
   */
  record Plan(String name, List<String> command, Map<String, String> env, Path workDir,
      String skipReason, String description, String path, boolean diagnostics, boolean tls) {
    Plan(String name, List<String> command, Map<String, String> env, Path workDir,
        String skipReason, String description) {
      this(name, command, env, workDir, skipReason, description, MESSAGES, false, false);
    }

    boolean skipped() {
      return skipReason != null;
    }

    /** The ceiling servlet's path instead of the filter's. */
    Plan ceiling() {
      return skipped() ? this : new Plan(name, command, env, workDir, skipReason, description,
          "/_ceiling/v1/messages", diagnostics, tls);
    }

    Plan withCommand(List<String> cmd) {
      return new Plan(name, cmd, env, workDir, skipReason, description, path, diagnostics, tls);
    }
  }

  /** {@link #plan(String, Config, Upstream, Path)} with the mock itself as the upstream. */
  static Plan plan(String name, Config config, URI mock, Path tmp) throws IOException {
    return plan(name, config, Upstream.mockOnly(mock), tmp);
  }

  /** Builds the launch plan of a target; a plan with a skip reason is reported, not run. */
  static Plan plan(String name, Config config, Upstream up, Path tmp) throws IOException {
    Path jetty = config.root().resolve("jetty-example/target/jetty-example.jar");
    Path tomcat = config.root().resolve("tomcat-example/target/tomcat-example.jar");
    boolean tls = name.endsWith("-tls");
    if (tls && up.https == null) {
      return new Plan(name, List.of(), Map.of(), null, up.http.equals(up.mockUri())
          ? "no TLS upstream: needs nginx and openssl" : "no TLS upstream: openssl failed",
          "TLS upstream");
    }
    String upstream = (tls ? up.https : up.http).toString();
    List<String> trust = tls ? up.trustOptions() : List.of();
    List<String> relay = List.of("--upstream", upstream, "--diagnostics");
    switch (name) {
      case "direct":
        return new Plan(name, List.of(), Map.of(), null, null,
            "the client straight to the upstream (" + up.kind + ")");
      case "direct-tls":
        return new Plan(name, List.of(), Map.of(), null, null,
            "the client straight to the upstream over TLS (wrk only)", MESSAGES, false, true);
      case "ceiling-jetty":
      case "ceiling-tomcat": {
        if (up.body == null) {
          return new Plan(name, List.of(), Map.of(), null, "no canned body", "ceiling");
        }
        boolean onJetty = name.equals("ceiling-jetty");
        return javaJar(name, config, onJetty ? jetty : tomcat, List.of(),
            concat(relayTo(up.http), List.of("--ceiling", up.body.toString(), "--diagnostics")),
            (onJetty ? "jetty" : "tomcat")
                + "-example, a servlet writing the canned bytes itself (no upstream call)")
            .ceiling();
      }
      case "sluice-jetty":
      case "sluice-jetty-tls":
        return javaJar(name, config, jetty, trust, relay,
            "jetty-example, default settings, no hooks" + (tls ? ", TLS upstream" : ""));
      case "sluice-jdk":
      case "sluice-jdk-tls":
        return javaJar(name, config, jetty, concat(trust, List.of("-Dsluice.transport=jdk")),
            relay, "jetty-example, transport=jdk (JDK HttpClient)" + (tls ? ", TLS upstream" : ""));
      case "sluice-jdk-fj2":
        return javaJar(name, config, jetty, List.of("-Dsluice.transport=jdk", COMMON_POOL_2),
            relay, "jetty-example, transport=jdk, ForkJoinPool common parallelism 2");
      case "sluice-jdk-pool":
        return javaJar(name, config, jetty,
            List.of("-Dsluice.transport=jdk", "-Dsluice.jdk-executor=pool"), relay,
            "jetty-example, transport=jdk, jdk-executor=pool (one thread per core)");
      case "sluice-jdk-cached":
        return javaJar(name, config, jetty,
            List.of("-Dsluice.transport=jdk", "-Dsluice.jdk-executor=cached"), relay,
            "jetty-example, transport=jdk, jdk-executor=cached (the 0.1 unbounded pool)");
      case "baseline-jetty": { // an earlier build's jar, for a before/after in one run
        String jar = System.getProperty("bench.baseline-jar", "");
        return javaJar(name, config, Path.of(jar.isEmpty() ? "(set -Dbench.baseline-jar)" : jar),
            List.of(), relay, "jetty-example.jar of an earlier build (-Dbench.baseline-jar), "
                + "its default settings, no hooks");
      }
      case "sluice-retry-nogate":
        return javaJar(name, config, jetty,
            List.of("-Dsluice.max-attempts=2", "-Dsluice.retry-gate=off"), relay,
            "jetty-example, the failover decorator on one upstream (max-attempts=2), gate off");
      case "sluice-retry-gate":
        return javaJar(name, config, jetty, List.of("-Dsluice.max-attempts=2"), relay,
            "jetty-example, the failover decorator on one upstream (max-attempts=2), gate on");
      case "sluice-micrometer":
        return javaJar(name, config, jetty, List.of(),
            concat(relay, List.of("--hooks", "micrometer")),
            "jetty-example, --hooks micrometer (global registry, nothing scraping)");
      case "sluice-otel":
        return javaJar(name, config, jetty, OTEL_NO_EXPORT,
            concat(relay, List.of("--hooks", "opentelemetry")),
            "jetty-example, --hooks opentelemetry (SDK autoconfigured, exporters none)");
      case "sluice-tomcat":
      case "sluice-tomcat-tls":
        return javaJar(name, config, tomcat, trust, relay,
            "tomcat-example, default settings, no hooks" + (tls ? ", TLS upstream" : ""));
      case "sluice-hooks":
        return javaJar(name, config, jetty, List.of(), concat(relay, List.of("--hooks", HOOKS)),
            "jetty-example, --hooks " + HOOKS);
      case "sluice-legacy":
        return javaJar(name, config, jetty, List.of("-Dsluice.legacy-pipeline=true"),
            concat(relay, List.of("--hooks", HOOKS)),
            "jetty-example, -Dsluice.legacy-pipeline=true, --hooks " + HOOKS);
      case "jetty-proxy":
        return javaMain(name, config, JettyProxyMain.class.getName(),
            List.of("--upstream", up.http.toString()),
            "Jetty 12 ee10 ProxyServlet.Transparent, flushing each chunk");
      case "nginx":
      case "nginx-tls":
        return nginx(name, config, tls ? up.https : up.http, tmp);
      default:
        throw new IllegalArgumentException("unknown target: " + name + " (known: "
            + String.join(",", ALL) + ")");
    }
  }

  private static List<String> relayTo(URI upstream) {
    return List.of("--upstream", upstream.toString());
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  private static Plan javaJar(String name, Config config, Path jar, List<String> props,
      List<String> args, String description) {
    if (!Files.isRegularFile(jar)) {
      return new Plan(name, List.of(), Map.of(), null, jar + " not found (build it first)",
          description);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(config.java());
    cmd.addAll(config.jvmOpts());
    cmd.addAll(props);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.add("--port");
    cmd.add("0");
    cmd.addAll(args);
    return new Plan(name, cmd, Map.of(), jar.getParent(), null, description, MESSAGES,
        args.contains("--diagnostics"), false);
  }

  private static Plan javaMain(String name, Config config, String main, List<String> args,
      String description) {
    List<String> cmd = new ArrayList<>();
    cmd.add(config.java());
    cmd.addAll(config.jvmOpts());
    cmd.add("-cp");
    cmd.add(config.selfJar());
    cmd.add(main);
    cmd.add("--port");
    cmd.add("0");
    cmd.addAll(args);
    return new Plan(name, cmd, Map.of(), null, null, description);
  }

  /** The mock upstream, run from this jar in its own JVM. */
  static List<String> mockCommand(Config config) {
    List<String> cmd = new ArrayList<>();
    cmd.add(config.java());
    cmd.addAll(config.mockJvmOpts());
    cmd.add("-cp");
    cmd.add(config.selfJar());
    cmd.add(MockMain.class.getName());
    cmd.add("--port");
    cmd.add("0");
    return cmd;
  }

  private static Plan nginx(String name, Config config, URI mock, Path tmp)
      throws IOException {
    String binary = findOnPath("nginx");
    String description = "nginx reverse proxy, proxy_buffering off, proxy_http_version 1.1";
    if (binary == null) {
      return new Plan(name, List.of(), Map.of(), null,
          "no nginx binary on PATH (apt-get install nginx-light to include it)", description);
    }
    Path dir = Files.createDirectories(tmp.resolve(name));
    boolean tls = mock.getScheme().equals("https");
    int port = freePort();
    String conf = String.join("\n", concat(nginxHead(dir), List.of(
        "  upstream anthropic {",
        "    server " + mock.getHost() + ":" + mock.getPort() + ";",
        "    keepalive 256;",
        "    keepalive_requests 1000000;",
        "  }",
        "  server {",
        "    listen 127.0.0.1:" + port + " backlog=4096;",
        "    location / {",
        "      proxy_pass " + mock.getScheme() + "://anthropic;",
        tls ? "      proxy_ssl_session_reuse on;" : "",
        "      proxy_http_version 1.1;",
        "      proxy_set_header Connection \"\";",
        "      proxy_set_header Host $proxy_host;",
        "      proxy_buffering off;",
        "      proxy_request_buffering off;",
        "      proxy_cache off;",
        "      proxy_read_timeout 600s;",
        "      proxy_send_timeout 600s;",
        "    }",
        "  }",
        "}",
        "")));
    Files.writeString(dir.resolve("nginx.conf"), conf);
    List<String> cmd = List.of(binary, "-p", dir.toString(), "-e",
        dir.resolve("error.log").toString(), "-c", dir.resolve("nginx.conf").toString(),
        "-g", "daemon off;");
    return new Plan(name, cmd, Map.of("NGINX_PORT", Integer.toString(port)), dir, null,
        description + (tls ? ", TLS upstream" : ""));
  }

  /**
   * The start of an nginx.conf whose files live in {@code dir}, up to and including {@code http
   * {} and its settings for long keep-alive connections: what the nginx target and the upstream
   * front share.
   */
  static List<String> nginxHead(Path dir) {
    boolean root = "root".equals(System.getProperty("user.name"));
    return List.of(
        root ? "user root;" : "",
        "worker_processes auto;",
        "worker_rlimit_nofile 16384;",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("error.log") + " warn;",
        "events { worker_connections 8192; }",
        "http {",
        "  access_log off;",
        "  client_body_temp_path " + dir.resolve("client_body") + ";",
        "  proxy_temp_path " + dir.resolve("proxy_temp") + ";",
        "  fastcgi_temp_path " + dir.resolve("fastcgi_temp") + ";",
        "  uwsgi_temp_path " + dir.resolve("uwsgi_temp") + ";",
        "  scgi_temp_path " + dir.resolve("scgi_temp") + ";",
        "  keepalive_requests 1000000;",
        "  keepalive_timeout 600s;");
  }

  /** Starts a plan's process and waits until it accepts connections. */
  static Running start(Plan plan, InetSocketAddress mock, Path logDir) throws IOException {
    if (plan.command().isEmpty()) { // direct, direct-tls: the client goes to the upstream itself
      return new Running() {
        @Override
        public InetSocketAddress address() {
          return mock;
        }

        @Override
        public List<Long> pids() {
          return List.of();
        }

        @Override
        public void close() {}
      };
    }
    Path log = logDir.resolve(plan.name() + ".log");
    ProcessBuilder pb = new ProcessBuilder(plan.command())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    if (plan.workDir() != null) {
      pb.directory(plan.workDir().toFile());
    }
    Process process = pb.start();
    Children.add(process);
    try {
      InetSocketAddress address;
      if (plan.env().containsKey("NGINX_PORT")) {
        address = new InetSocketAddress("127.0.0.1", Integer.parseInt(plan.env().get("NGINX_PORT")));
        awaitConnectable(process, address, log);
      } else {
        address = awaitListening(process, log);
      }
      // nginx's workers are up once it accepts; a JVM is one process.
      List<Long> pids = List.copyOf(Procs.tree(process.pid()));
      URI diag = plan.diagnostics() ? URI.create("http://127.0.0.1:" + address.getPort()
          + "/_diagnostics") : null;
      return new ProcessRunning(process, address, pids, plan.path(), diag);
    } catch (IOException | RuntimeException e) {
      stop(process);
      throw e;
    }
  }

  /** Starts the mock upstream in its own JVM and returns its address. */
  static ProcessRunning startMock(Config config, Path logDir) throws IOException {
    Path log = logDir.resolve("mock-upstream.log");
    Process process = new ProcessBuilder(mockCommand(config))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    Children.add(process);
    try {
      InetSocketAddress address = awaitListening(process, log);
      return new ProcessRunning(process, address, List.of(process.pid()), MESSAGES, null);
    } catch (IOException | RuntimeException e) {
      stop(process);
      throw e;
    }
  }

  static InetSocketAddress awaitListening(Process process, Path log) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
      Matcher m = LISTENING.matcher(text);
      if (m.find()) {
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(2)));
      }
      if (!process.isAlive()) {
        throw new IOException("exited with " + process.exitValue() + " before listening; log "
            + log + ":\n" + tail(text));
      }
      sleep(50);
    }
    throw new IOException("no 'listening on http://127.0.0.1:<port>' line within "
        + START_TIMEOUT_MS + " ms; log " + log);
  }

  private static void awaitConnectable(Process process, InetSocketAddress address, Path log)
      throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(address, 500);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          String text = Files.exists(log) ? Files.readString(log) : "";
          throw new IOException("exited with " + process.exitValue() + "; log " + log + ":\n"
              + tail(text));
        }
        sleep(50);
      }
    }
    throw new IOException("not accepting on " + address + " within " + START_TIMEOUT_MS + " ms");
  }

  static final class ProcessRunning implements Running {
    private final Process process;
    private final InetSocketAddress address;
    private final List<Long> pids;
    private final String path;
    private final URI diagnostics;

    ProcessRunning(Process process, InetSocketAddress address, List<Long> pids, String path,
        URI diagnostics) {
      this.process = process;
      this.address = address;
      this.pids = pids;
      this.path = path;
      this.diagnostics = diagnostics;
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public URI diagnostics() {
      return diagnostics;
    }

    @Override
    public InetSocketAddress address() {
      return address;
    }

    @Override
    public List<Long> pids() {
      return pids;
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + address.getPort());
    }

    @Override
    public void close() {
      stop(process);
    }
  }

  /** SIGTERM, then SIGKILL after 10 s. Only ever our own children. */
  static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    Children.remove(process);
  }

  /** Stops every child still running if the benchmark itself is interrupted (Ctrl-C). */
  static final class Children {
    private static final List<Process> LIVE = new ArrayList<>();

    static {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        List<Process> left;
        synchronized (LIVE) {
          left = new ArrayList<>(LIVE);
        }
        for (Process p : left) {
          p.destroy();
        }
      }, "benchmark-children-stop"));
    }

    static void add(Process p) {
      synchronized (LIVE) {
        LIVE.add(p);
      }
    }

    static void remove(Process p) {
      synchronized (LIVE) {
        LIVE.remove(p);
      }
    }
  }

  static String findOnPath(String binary) {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(":")));
    dirs.add("/usr/sbin"); // nginx lives here on Debian; non-root PATHs often lack it
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, binary);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  static String version(String binary) {
    try {
      Process p = new ProcessBuilder(binary, "-v").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String tail(String text) {
    String[] lines = text.split("\n");
    StringBuilder sb = new StringBuilder();
    for (int i = Math.max(0, lines.length - 20); i < lines.length; i++) {
      sb.append("    ").append(lines[i]).append('\n');
    }
    return sb.toString();
  }

  /** Thread.sleep that turns an interrupt into an unchecked failure (the interrupt flag kept). */
  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
