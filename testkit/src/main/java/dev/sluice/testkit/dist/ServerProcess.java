package dev.sluice.testkit.dist;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A server running in a JVM of its own, as its users run it: its console (stdout and stderr) in a
 * file of its base directory, ready once a page answers 200, stopped by its PID with SIGTERM (as
 * Ctrl-C would), then forcibly. No server outlives the test JVM that started it.
 */
abstract class ServerProcess implements AutoCloseable {
  static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ServerProcess::kill),
        "server-process-reaper"));
  }

  private final Process process;
  private final Path base;
  private final Path console;
  private final int port;

  ServerProcess(ProcessBuilder command, Path base, Path console, int port) throws IOException {
    command.redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(console.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // The server reads its settings from what the test gives it, never from the test's own
    // environment.
    Map<String, String> env = command.environment();
    env.keySet().removeIf(k -> k.startsWith("SLUICE_") || k.equals("JAVA_OPTS")
        || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
    this.process = command.start();
    LIVE.add(process);
    this.base = base;
    this.console = console;
    this.port = port;
  }

  /** {@code http://127.0.0.1:<port>} */
  public URI root() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The base directory this server runs on. */
  public Path base() {
    return base;
  }

  /** The server's process id (what {@link #close()} signals). */
  public long pid() {
    return process.pid();
  }

  /** What the server printed on its console (stdout and stderr) so far. */
  public String console() {
    try {
      return Files.readString(console, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no console output: " + e + ")";
    }
  }

  /** Waits until {@code GET path} answers 200; on failure, stops the server and throws. */
  final void awaitReady(String path) throws IOException, InterruptedException {
    try {
      poll(path);
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      close();
      throw e;
    }
  }

  private void poll(String path) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe = HttpRequest.newBuilder(URI.create(root() + path))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(this + " exited with " + process.exitValue() + " before "
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
    throw new AssertionError(this + " did not serve " + path + " within " + STARTUP + " ("
        + last + "); console:\n" + console());
  }

  /** Stops the server as Ctrl-C would (SIGTERM to its PID), then forcibly after 30 s. */
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

  /** Whether the server's JVM is still running. */
  public boolean isAlive() {
    return process.isAlive();
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
}
