package dev.sluice.testkit.contract;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;

/**
 * An HTTP/2 client without TLS that starts with the connection preface (h2c prior knowledge),
 * on Jetty's low-level {@link HTTP2Client}: it can reset one stream ({@code RST_STREAM}) or drop
 * the whole connection at a chosen moment.
 */
final class H2Client implements AutoCloseable {
  private final HTTP2Client client;
  private final Session session;
  private final URI base;

  private H2Client(HTTP2Client client, Session session, URI base) {
    this.client = client;
    this.session = session;
    this.base = base;
  }

  static H2Client connect(URI base) throws Exception {
    HTTP2Client client = new HTTP2Client();
    client.start();
    try {
      Session session = client.connect(new InetSocketAddress(base.getHost(), base.getPort()),
          new Session.Listener() {}).get(5, TimeUnit.SECONDS);
      return new H2Client(client, session, base);
    } catch (Exception e) {
      client.stop();
      throw e;
    }
  }

  /** Sends a POST with a JSON body and the given header pairs; the response is read as it comes. */
  Exchange post(String path, String body, String... headers) throws Exception {
    byte[] bytes = body.getBytes(UTF_8);
    HttpFields.Mutable fields = HttpFields.build()
        .put("content-type", "application/json")
        .put("anthropic-version", "2023-06-01");
    for (int i = 0; i < headers.length; i += 2) {
      fields.put(headers[i], headers[i + 1]);
    }
    MetaData.Request request = new MetaData.Request("POST",
        HttpURI.from(base.getScheme(), base.getHost(), base.getPort(), base.getRawPath() + path),
        HttpVersion.HTTP_2, fields, bytes.length);
    Exchange exchange = new Exchange();
    Stream stream = session.newStream(new HeadersFrame(request, null, false), exchange)
        .get(5, TimeUnit.SECONDS);
    exchange.stream = stream;
    stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(bytes), true))
        .get(5, TimeUnit.SECONDS);
    return exchange;
  }

  /**
   * Drops the TCP connection without a {@code GOAWAY}, as a client that crashes or loses its
   * network does (a {@code GOAWAY} would let the open streams finish).
   */
  @Override
  public void close() throws Exception {
    try {
      ((HTTP2Session) session).getEndPoint().close();
    } finally {
      client.stop();
    }
  }

  /** One stream: its status and the bytes read so far. */
  static final class Exchange implements Stream.Listener {
    private volatile Stream stream;
    private volatile int status;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    @Override
    public void onHeaders(Stream s, HeadersFrame frame) {
      if (frame.getMetaData() instanceof MetaData.Response r) {
        status = r.getStatus();
      }
      s.demand();
    }

    @Override
    public void onDataAvailable(Stream s) {
      Stream.Data data = s.readData();
      if (data != null) {
        ByteBuffer b = data.frame().getByteBuffer();
        byte[] copy = new byte[b.remaining()];
        b.get(copy);
        synchronized (body) {
          body.write(copy, 0, copy.length);
          body.notifyAll();
        }
        data.release();
        if (data.frame().isEndStream()) {
          return;
        }
      }
      s.demand();
    }

    int status() {
      return status;
    }

    /** Waits until {@code n} whole events have arrived. */
    void awaitEvents(int n, Duration timeout) throws InterruptedException, IOException {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (body) {
        while (body.toString(UTF_8).split("\n\n", -1).length - 1 < n) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new IOException("fewer than " + n + " events within " + timeout + ": "
                + body.toString(UTF_8));
          }
          body.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    }

    /** Sends {@code RST_STREAM (CANCEL)}; returns when it was sent. */
    Instant reset() {
      Instant now = Instant.now();
      stream.reset(new ResetFrame(stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code),
          Callback.NOOP);
      return now;
    }
  }
}
