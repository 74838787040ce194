package dev.sluice.example;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /_ceiling/v1/messages}: the benchmark's ceiling of the container. It answers with
 * canned bytes (a file read once at start) and makes no upstream call, in the same container and
 * web app as Sluice, so that a Sluice target can be read as a fraction of what that container
 * does at all. Mounted only with the example's {@code --ceiling FILE} flag.
 *
 * <p>Every request drains its body and gets {@code 200}, {@code text/event-stream} and the file
 * in one write. With {@code x-ceiling-hold-ms: N} the first event is written and flushed, the
 * request goes async, and the rest follows N ms later from a timer: the benchmark holds N such
 * requests open to read the container's own memory per open stream.
 */
public final class CeilingServlet extends HttpServlet {
  public static final String PATH = "/_ceiling/v1/messages";
  private static final long serialVersionUID = 1L;

  private final transient byte[] body;
  private final int firstEventEnd;
  private final transient ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ceiling-hold");
        t.setDaemon(true);
        return t;
      });

  public CeilingServlet(Path file) {
    try {
      this.body = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("--ceiling: cannot read " + file, e);
    }
    String text = new String(body, StandardCharsets.ISO_8859_1);
    int blank = text.indexOf("\n\n");
    this.firstEventEnd = blank < 0 ? body.length : blank + 2;
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    try (InputStream in = request.getInputStream()) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setHeader("cache-control", "no-cache");
    String hold = request.getHeader("x-ceiling-hold-ms");
    if (hold == null) {
      response.getOutputStream().write(body);
      return;
    }
    long ms = Long.parseLong(hold.trim());
    response.getOutputStream().write(body, 0, firstEventEnd);
    response.flushBuffer();
    AsyncContext async = request.startAsync();
    async.setTimeout(ms + 60_000);
    timer.schedule(() -> {
      try {
        response.getOutputStream().write(body, firstEventEnd, body.length - firstEventEnd);
      } catch (IOException clientGone) {
        // nothing to do: the request ends below either way
      } finally {
        async.complete();
      }
    }, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
