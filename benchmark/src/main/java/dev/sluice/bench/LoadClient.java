package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The load client: one thread, one {@link Selector}, non-blocking sockets, HTTP/1.1 keep-alive.
 *
 * <p>It keeps {@code concurrency} requests in flight (closed loop: each connection sends its next
 * request as soon as its previous response has ended) until {@code total} have been sent. Every
 * request is the same pre-encoded bytes. Per byte of response body it does only what it must: a
 * chunked-encoding decoder, a table-driven matcher for {@code "event: content_block_delta"} and a
 * blank-line detector, so that a delta counts (and is timestamped) when its whole event has
 * arrived. Time is read once per socket read, not per byte.
 *
 * <p>A response succeeds when its status is 200, its body ends cleanly (terminal chunk, or the
 * announced length) and it held exactly the expected number of deltas. A mixed load (the soak)
 * gives each request its own {@link Shot}: other bytes, another expected outcome, or a client that
 * hangs up early.
 */
final class LoadClient {
  /** One request's outcome. Times are {@link System#nanoTime()} values. */
  record Sample(boolean ok, String error, long sendNanos, long firstDeltaNanos, long endNanos,
      int deltas, long[] arrivals, int kind) {
    double ttftMs() {
      return (firstDeltaNanos - sendNanos) / 1e6;
    }

    double totalMs() {
      return (endNanos - sendNanos) / 1e6;
    }
  }

  /**
   * What to run. {@code arrivals}: keep each delta's arrival time (paced scenario).
   * {@code stopStartingAtNanos}: when not 0, no request starts after that {@code nanoTime}
   * (a time-bounded run; those in flight finish).
   */
  record Spec(InetSocketAddress address, byte[] request, int expectedDeltas, int total,
      int concurrency, boolean arrivals, long timeoutMs, long stopStartingAtNanos,
      long rampMs, IntFunction<Shot> shots) {
    Spec(InetSocketAddress address, byte[] request, int expectedDeltas, int total,
        int concurrency, boolean arrivals, long timeoutMs) {
      this(address, request, expectedDeltas, total, concurrency, arrivals, timeoutMs, 0, 0);
    }

    /** Every request the same: {@code request}, read to its end, {@code expectedDeltas}. */
    Spec(InetSocketAddress address, byte[] request, int expectedDeltas, int total,
        int concurrency, boolean arrivals, long timeoutMs, long stopStartingAtNanos,
        long rampMs) {
      this(address, request, expectedDeltas, total, concurrency, arrivals, timeoutMs,
          stopStartingAtNanos, rampMs, same(Shot.complete(request, expectedDeltas)));
    }

    /** A mixed load: request {@code i} (from 0) is {@code shots.apply(i)}. */
    static Spec mixed(InetSocketAddress address, IntFunction<Shot> shots, int total,
        int concurrency, long timeoutMs, long stopStartingAtNanos, long rampMs) {
      return new Spec(address, null, 0, total, concurrency, false, timeoutMs,
          stopStartingAtNanos, rampMs, shots);
    }

    private static IntFunction<Shot> same(Shot shot) {
      return i -> shot;
    }
  }

  /**
   * One request and what it should come to. {@code kind} is the caller's label, copied into the
   * sample. The response must have {@code status} and between {@code minDeltas} and
   * {@code maxDeltas} deltas; with {@code errorEvent} its last event must be {@code event: error}
   * (the end Sluice gives a stream it had to cut), without it the body is not looked at.
   * {@code closeAfterDeltas}: -1 reads to the end; 0 hangs up as soon as the request is written
   * (before any response); n &gt; 0 hangs up after the n-th delta. A request the client hangs up
   * on succeeds when it got that far (and, for n &gt; 0, had {@code status}).
   */
  record Shot(int kind, byte[] request, int status, int minDeltas, int maxDeltas,
      boolean errorEvent, int closeAfterDeltas) {
    static Shot complete(byte[] request, int deltas) {
      return new Shot(0, request, 200, deltas, deltas, false, -1);
    }
  }

  /** Live counters for the progress line. */
  static final class Progress {
    final AtomicInteger done = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    volatile int total;
  }

  private static final byte[] NEEDLE =
      "event: content_block_delta".getBytes(StandardCharsets.US_ASCII);
  /** DFA over NEEDLE: next state = DFA[state * 256 + byte]. */
  private static final byte[] DFA = buildDfa(NEEDLE);

  private LoadClient() {}

  /** Encodes a {@code POST /v1/messages} for {@code host:port} with the given extra headers. */
  static byte[] request(InetSocketAddress address, String body, List<String> headers) {
    return request(address, "/v1/messages", body, headers);
  }

  static byte[] request(InetSocketAddress address, String path, String body,
      List<String> headers) {
    StringBuilder sb = new StringBuilder(512);
    sb.append("POST ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(address.getHostString()).append(':').append(address.getPort())
        .append("\r\n")
        .append("content-type: application/json\r\n")
        .append("accept: text/event-stream\r\n")
        .append("anthropic-version: 2023-06-01\r\n")
        .append("x-api-key: sk-ant-benchmark\r\n");
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    sb.append("content-length: ").append(b.length).append("\r\n\r\n");
    byte[] head = sb.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(head, head.length + b.length);
    System.arraycopy(b, 0, all, head.length, b.length);
    return all;
  }

  /** Runs the spec to completion (or its timeout) on the calling thread. */
  static List<Sample> run(Spec spec, Progress progress) throws IOException {
    progress.done.set(0);
    progress.failed.set(0);
    progress.total = spec.total();
    List<Sample> samples = new ArrayList<>(Math.min(spec.total(), 100_000));
    try (Selector selector = Selector.open()) {
      Run run = new Run(spec, selector, samples, progress);
      run.loop();
    }
    return samples;
  }

  private static final class Run {
    final Spec spec;
    final Selector selector;
    final List<Sample> samples;
    final Progress progress;
    final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    int started;
    int inFlight;

    Run(Spec spec, Selector selector, List<Sample> samples, Progress progress) {
      this.spec = spec;
      this.selector = selector;
      this.samples = samples;
      this.progress = progress;
    }

    void loop() throws IOException {
      int slots = Math.min(spec.concurrency(), spec.total());
      long t0 = System.nanoTime();
      long ramp = TimeUnit.MILLISECONDS.toNanos(spec.rampMs());
      // With a ramp, the connections open one after the other over rampMs (a SYN storm of
      // hundreds of connects overflows default accept queues, and each dropped SYN costs 1 s).
      int opened = 0;
      long deadline = t0 + ramp + TimeUnit.MILLISECONDS.toNanos(spec.timeoutMs());
      while (opened < slots || inFlight > 0) {
        long now = System.nanoTime();
        while (opened < slots && now - (t0 + ramp * opened / slots) >= 0) {
          next(new Conn(spec), now);
          opened++;
        }
        long wait = 100;
        if (opened < slots) {
          long due = t0 + ramp * opened / slots - now;
          wait = Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(due)));
        }
        if (System.nanoTime() > deadline) {
          for (SelectionKey k : selector.keys()) {
            Conn c = (Conn) k.attachment();
            if (c.active) {
              fail(c, "timed out after " + spec.timeoutMs() + " ms", System.nanoTime(), false);
            }
            closeQuietly(c);
          }
          return;
        }
        selector.select(wait);
        var it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          Conn c = (Conn) key.attachment();
          if (!key.isValid()) {
            continue;
          }
          try {
            if (key.isConnectable()) {
              c.channel.finishConnect();
              write(c);
            } else if (key.isWritable()) {
              write(c);
            } else if (key.isReadable()) {
              read(c);
            }
          } catch (IOException e) {
            fail(c, e.getClass().getSimpleName() + ": " + e.getMessage(), System.nanoTime(), true);
          }
        }
      }
      for (SelectionKey k : selector.keys()) {
        closeQuietly((Conn) k.attachment());
      }
    }

    /** Starts the connection's next request, or closes it when all have been started. */
    void next(Conn c, long now) throws IOException {
      if (started >= spec.total()
          || spec.stopStartingAtNanos() != 0 && now - spec.stopStartingAtNanos() >= 0) {
        closeQuietly(c);
        return;
      }
      c.begin(now, spec.shots().apply(started));
      started++;
      inFlight++;
      if (c.channel == null) {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.channel = ch;
        try {
          if (ch.connect(spec.address())) {
            c.key = ch.register(selector, 0, c);
            write(c);
          } else {
            c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
          }
        } catch (IOException e) {
          if (c.key == null) {
            c.key = ch.register(selector, 0, c);
          }
          fail(c, "connect: " + e.getMessage(), System.nanoTime(), true);
        }
      } else {
        write(c);
      }
    }

    void write(Conn c) throws IOException {
      c.channel.write(c.out);
      if (!c.out.hasRemaining() && c.shot.closeAfterDeltas() == 0) {
        finish(c, System.nanoTime(), true); // the client that leaves before any response
        return;
      }
      c.key.interestOps(c.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    void read(Conn c) throws IOException {
      buf.clear();
      int n = c.channel.read(buf);
      long now = System.nanoTime();
      if (n < 0) {
        if (c.active && c.state == Conn.UNTIL_EOF) {
          c.state = Conn.DONE;
          finish(c, now, true);
        } else if (c.active) {
          fail(c, "connection closed by peer mid-response (" + c.deltas + " deltas)", now, true);
        } else {
          closeQuietly(c);
        }
        return;
      }
      int end = c.parse(buf.array(), 0, n, now);
      if (c.failure != null) {
        fail(c, c.failure, now, true);
        return;
      }
      if (c.hungUp) {
        finish(c, now, true); // the client that leaves mid-stream
        return;
      }
      if (c.state == Conn.DONE) {
        if (end < n) {
          fail(c, "unexpected bytes after the response", now, true);
          return;
        }
        finish(c, now, c.close);
      }
    }

    void finish(Conn c, long now, boolean close) throws IOException {
      record(c, c.verdict(), now);
      if (close) {
        closeQuietly(c);
      }
      next(c, now);
    }

    void fail(Conn c, String error, long now, boolean retry) {
      if (c.active) {
        record(c, error, now);
      }
      closeQuietly(c);
      if (retry) {
        try {
          next(c, now);
        } catch (IOException e) {
          // next() records its own connect failures; nothing else can throw here
        }
      }
    }

    void record(Conn c, String error, long now) {
      c.active = false;
      inFlight--;
      samples.add(new Sample(error == null, error, c.sendNanos, c.firstDeltaNanos, now, c.deltas,
          c.arrivals == null ? null : Arrays.copyOf(c.arrivals, Math.min(c.deltas,
              c.arrivals.length)), c.shot.kind()));
      progress.done.incrementAndGet();
      if (error != null) {
        progress.failed.incrementAndGet();
      }
    }

    void closeQuietly(Conn c) {
      if (c.key != null) {
        c.key.cancel();
        c.key = null;
      }
      if (c.channel != null) {
        try {
          c.channel.close();
        } catch (IOException ignored) {
          // closing
        }
        c.channel = null;
      }
    }
  }

  /** One connection and the response being read on it. */
  private static final class Conn {
    static final int STATUS = 0;
    static final int HEADERS = 1;
    static final int CHUNK_SIZE = 2;
    static final int CHUNK_DATA = 3;
    static final int CHUNK_END = 4;
    static final int TRAILERS = 5;
    static final int LENGTH_DATA = 6;
    static final int UNTIL_EOF = 7;
    static final int DONE = 8;

    static final int TAIL = 1024;

    final long[] arrivalsTemplate;
    Shot shot;
    boolean hungUp;
    byte[] tail;
    int tailLen;
    SocketChannel channel;
    SelectionKey key;
    ByteBuffer out;
    boolean active;

    int state;
    final byte[] line = new byte[8192];
    int lineLen;
    int status;
    boolean chunked;
    long contentLength;
    boolean close;
    long remaining;
    boolean chunkExt;
    String failure;

    int match;
    boolean inDelta;
    boolean lastNl;
    int deltas;
    long sendNanos;
    long firstDeltaNanos;
    long[] arrivals;

    Conn(Spec spec) {
      this.arrivalsTemplate = spec.arrivals() ? new long[spec.expectedDeltas()] : null;
    }

    void begin(long now, Shot shot) {
      this.shot = shot;
      hungUp = false;
      tail = shot.errorEvent() ? (tail == null ? new byte[TAIL] : tail) : null;
      tailLen = 0;
      out = ByteBuffer.wrap(shot.request());
      active = true;
      state = STATUS;
      lineLen = 0;
      status = 0;
      chunked = false;
      contentLength = -1;
      close = false;
      remaining = 0;
      chunkExt = false;
      failure = null;
      match = 0;
      inDelta = false;
      lastNl = false;
      deltas = 0;
      sendNanos = now;
      firstDeltaNanos = 0;
      arrivals = arrivalsTemplate;
    }

    /** Consumes bytes; returns the index after the last byte of this response that it used. */
    int parse(byte[] a, int from, int to, long now) {
      int i = from;
      while (i < to && state != DONE && failure == null) {
        switch (state) {
          case STATUS, HEADERS, TRAILERS -> i = headerBytes(a, i, to);
          case CHUNK_SIZE -> {
            byte b = a[i++];
            if (b == '\n') {
              if (remaining == 0) {
                state = TRAILERS;
              } else {
                state = CHUNK_DATA;
              }
              chunkExt = false;
            } else if (b == ';') {
              chunkExt = true;
            } else if (!chunkExt && b != '\r' && b != ' ') {
              int d = Character.digit(b, 16);
              if (d < 0) {
                failure = "bad chunk size";
              } else {
                remaining = remaining * 16 + d;
              }
            }
          }
          case CHUNK_DATA -> {
            int n = (int) Math.min(remaining, to - i);
            body(a, i, i + n, now);
            i += n;
            remaining -= n;
            if (remaining == 0) {
              state = CHUNK_END;
            }
          }
          case CHUNK_END -> {
            byte b = a[i++];
            if (b == '\n') {
              state = CHUNK_SIZE;
            }
          }
          case LENGTH_DATA -> {
            int n = (int) Math.min(remaining, to - i);
            body(a, i, i + n, now);
            i += n;
            remaining -= n;
            if (remaining == 0) {
              state = DONE;
            }
          }
          case UNTIL_EOF -> {
            body(a, i, to, now);
            i = to;
          }
          default -> throw new IllegalStateException("state " + state);
        }
      }
      return i;
    }

    private int headerBytes(byte[] a, int i, int to) {
      while (i < to) {
        byte b = a[i++];
        if (b != '\n') {
          if (lineLen == line.length) {
            failure = "header line too long";
            return i;
          }
          line[lineLen++] = b;
          continue;
        }
        int len = lineLen > 0 && line[lineLen - 1] == '\r' ? lineLen - 1 : lineLen;
        lineLen = 0;
        headerLine(len);
        return i;
      }
      return i;
    }

    private void headerLine(int len) {
      if (state == TRAILERS) {
        if (len == 0) {
          state = DONE;
        }
        return;
      }
      String s = new String(line, 0, len, StandardCharsets.ISO_8859_1);
      if (state == STATUS) {
        if (s.length() < 12 || !s.startsWith("HTTP/1.")) {
          failure = "bad status line: " + s;
          return;
        }
        status = Integer.parseInt(s.substring(9, 12));
        close = s.startsWith("HTTP/1.0");
        state = HEADERS;
        return;
      }
      if (len == 0) {
        if (status == 100) {
          state = STATUS;
        } else if (chunked) {
          state = CHUNK_SIZE;
          remaining = 0;
        } else if (contentLength >= 0) {
          remaining = contentLength;
          state = contentLength == 0 ? DONE : LENGTH_DATA;
        } else {
          state = UNTIL_EOF;
          close = true;
        }
        return;
      }
      int colon = s.indexOf(':');
      if (colon <= 0) {
        return;
      }
      String name = s.substring(0, colon).trim();
      String value = s.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("transfer-encoding")) {
        chunked = value.toLowerCase().contains("chunked");
      } else if (name.equalsIgnoreCase("content-length")) {
        contentLength = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("connection")) {
        if (value.toLowerCase().contains("close")) {
          close = true;
        }
      }
    }

    /** The per-byte work on the body: delta matcher plus end-of-event detector. */
    private void body(byte[] a, int from, int to, long now) {
      int m = match;
      boolean nl = lastNl;
      for (int i = from; i < to; i++) {
        byte b = a[i];
        m = DFA[(m << 8) | (b & 0xff)];
        if (m == NEEDLE.length) {
          inDelta = true;
          m = 0;
        }
        if (b == '\n') {
          if (nl && inDelta) {
            inDelta = false;
            delta(now);
          }
          nl = true;
        } else if (b != '\r') {
          nl = false;
        }
      }
      match = m;
      lastNl = nl;
      if (tail != null) {
        keepTail(a, from, to);
      }
    }

    /** Keeps the body's last {@link #TAIL} bytes, where a closing error event would be. */
    private void keepTail(byte[] a, int from, int to) {
      int n = to - from;
      if (n >= TAIL) {
        System.arraycopy(a, to - TAIL, tail, 0, TAIL);
        tailLen = TAIL;
        return;
      }
      int keep = Math.min(tailLen, TAIL - n);
      System.arraycopy(tail, tailLen - keep, tail, 0, keep);
      System.arraycopy(a, from, tail, keep, n);
      tailLen = keep + n;
    }

    /** Null when the response is what the shot expects, else what was wrong. */
    String verdict() {
      if (shot.closeAfterDeltas() == 0) {
        return null; // left before any response: nothing to judge
      }
      if (status != shot.status()) {
        return "status " + status;
      }
      if (hungUp) {
        return null;
      }
      if (deltas < shot.minDeltas() || deltas > shot.maxDeltas()) {
        return "got " + deltas + " deltas, expected " + (shot.minDeltas() == shot.maxDeltas()
            ? Integer.toString(shot.minDeltas()) : shot.minDeltas() + ".." + shot.maxDeltas());
      }
      if (tail != null) {
        String t = new String(tail, 0, tailLen, StandardCharsets.ISO_8859_1);
        int last = t.lastIndexOf("event: ");
        if (last < 0 || !t.startsWith("event: error", last)) {
          return "no event: error at the end (" + deltas + " deltas): a silent cut";
        }
      }
      return null;
    }

    private void delta(long now) {
      if (deltas == 0) {
        firstDeltaNanos = now;
      }
      if (arrivals != null && deltas < arrivals.length) {
        arrivals[deltas] = now;
      }
      deltas++;
      if (deltas == shot.closeAfterDeltas()) {
        hungUp = true;
      }
    }
  }

  /** A KMP automaton as a flat table: state 0..n-1, a full match is state n. */
  private static byte[] buildDfa(byte[] needle) {
    int n = needle.length;
    byte[] dfa = new byte[(n + 1) * 256];
    dfa[needle[0] & 0xff] = 1;
    int x = 0;
    for (int j = 1; j <= n; j++) {
      for (int c = 0; c < 256; c++) {
        dfa[(j << 8) | c] = dfa[(x << 8) | c];
      }
      if (j < n) {
        dfa[(j << 8) | (needle[j] & 0xff)] = (byte) (j + 1);
        x = dfa[(x << 8) | (needle[j] & 0xff)];
      }
    }
    return dfa;
  }
}
