package dev.sluice.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The burst load generator when {@code wrk} is installed (Debian: {@code apt-get install wrk}):
 * a C client that costs a fraction of any proxy's CPU per request, so that req/s measures the
 * proxy. It POSTs {@link Bench#BODY} with the benchmark's headers from a Lua script, over
 * keep-alive connections, for a fixed time. A response counts as failed when it is not 2xx, a
 * socket error ends it, or the bytes read per response fall short of the body's size.
 */
final class Wrk {
  /** What one wrk run measured. Latencies are of the whole response, in ms. */
  record Result(long requests, double seconds, double reqPerSec, double bytesRead, long non2xx,
      long socketErrors, double p50Ms, double p75Ms, double p90Ms, double p99Ms, String output) {
    long failed(long bodyBytes) {
      long failed = non2xx + socketErrors;
      if (requests > 0 && bytesRead / requests < bodyBytes) {
        failed = Math.max(failed, requests); // the bodies were not what the upstream sends
      }
      return Math.min(failed, requests);
    }
  }

  private static final Pattern REQS = Pattern.compile(
      "(\\d+) requests in ([\\d.]+)(us|ms|s|m), ([\\d.]+)([KMGT]?B) read");
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
  private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET = Pattern.compile(
      "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  private static final Pattern PCT = Pattern.compile("\\s+(50|75|90|99)%\\s+([\\d.]+)(us|ms|s)");

  private Wrk() {}

  /** The wrk binary, or null when it is not installed. */
  static String binary() {
    return Targets.findOnPath("wrk");
  }

  static Result run(String binary, URI url, List<String> headers, int threads, int connections,
      int seconds, Path tmp) throws IOException {
    Path script = Files.createDirectories(tmp).resolve("wrk-post.lua");
    StringBuilder lua = new StringBuilder();
    lua.append("wrk.method = \"POST\"\n");
    lua.append("wrk.body = ").append(luaString(Bench.BODY)).append('\n');
    List<String> all = new ArrayList<>(List.of("content-type: application/json",
        "accept: text/event-stream", "anthropic-version: 2023-06-01",
        "x-api-key: sk-ant-benchmark"));
    all.addAll(headers);
    for (String h : all) {
      int colon = h.indexOf(':');
      lua.append("wrk.headers[").append(luaString(h.substring(0, colon).trim())).append("] = ")
          .append(luaString(h.substring(colon + 1).trim())).append('\n');
    }
    Files.writeString(script, lua.toString());
    List<String> cmd = List.of(binary, "-t" + threads, "-c" + connections, "-d" + seconds + "s",
        "--latency", "--timeout", "10s", "-s", script.toString(), url.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out;
    try {
      out = p.getInputStream().readAllBytes();
      if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("wrk did not end");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
    return parse(new String(out, StandardCharsets.UTF_8));
  }

  static Result parse(String text) throws IOException {
    Matcher m = REQS.matcher(text);
    if (!m.find()) {
      throw new IOException("unexpected wrk output:\n" + text);
    }
    long requests = Long.parseLong(m.group(1));
    double secs = seconds(Double.parseDouble(m.group(2)), m.group(3));
    double bytes = Double.parseDouble(m.group(4)) * scale(m.group(5));
    Matcher r = RATE.matcher(text);
    double rate = r.find() ? Double.parseDouble(r.group(1)) : requests / secs;
    Matcher n = NON2XX.matcher(text);
    long non2xx = n.find() ? Long.parseLong(n.group(1)) : 0;
    long socket = 0;
    Matcher s = SOCKET.matcher(text);
    if (s.find()) {
      for (int i = 1; i <= 4; i++) {
        socket += Long.parseLong(s.group(i));
      }
    }
    double[] pct = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    Matcher q = PCT.matcher(text);
    while (q.find()) {
      int idx = switch (q.group(1)) {
        case "50" -> 0;
        case "75" -> 1;
        case "90" -> 2;
        default -> 3;
      };
      pct[idx] = seconds(Double.parseDouble(q.group(2)), q.group(3)) * 1000;
    }
    return new Result(requests, secs, rate, bytes, non2xx, socket, pct[0], pct[1], pct[2],
        pct[3], text);
  }

  private static double seconds(double v, String unit) {
    return switch (unit) {
      case "us" -> v / 1e6;
      case "ms" -> v / 1e3;
      case "m" -> v * 60;
      default -> v;
    };
  }

  private static double scale(String unit) {
    return switch (unit) {
      case "KB" -> 1024.0;
      case "MB" -> 1024.0 * 1024;
      case "GB" -> 1024.0 * 1024 * 1024;
      case "TB" -> 1024.0 * 1024 * 1024 * 1024;
      default -> 1.0;
    };
  }

  private static String luaString(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.append('"').toString();
  }

  static String describe(String binary) {
    return String.format(Locale.ROOT, "wrk (%s)", binary);
  }
}
