package dev.sluice.testkit.contract;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately small HTTP/1.1 client over a plain socket, for what {@code java.net.http} cannot
 * do: send hop-by-hop headers, stop reading mid-body, or hang up at a chosen moment.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final URI base;
  private final InputStream in;
  private int status;
  private int interim;
  private final List<Map.Entry<String, String>> headers = new ArrayList<>();
  private InputStream body;

  private RawHttp(Socket socket, URI base) throws IOException {
    this.socket = socket;
    this.base = base;
    this.in = new java.io.BufferedInputStream(socket.getInputStream(), 8192);
  }

  /** Connects and sends the request; {@code chunked} sends the body with chunked encoding. */
  public static RawHttp send(URI base, String method, String path,
      List<Map.Entry<String, String>> requestHeaders, byte[] body, boolean chunked,
      int receiveBuffer) throws IOException {
    RawHttp http = connect(base, receiveBuffer);
    http.request(method, path, requestHeaders, body, chunked);
    return http;
  }

  /** Connects without sending anything; see {@link #request}, {@link #head} and {@link #write}. */
  public static RawHttp connect(URI base, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 5000);
    s.setSoTimeout(30_000);
    return new RawHttp(s, base);
  }

  /** Connects over TLS with {@code tls} (which must trust the server's certificate). */
  public static RawHttp connectTls(URI base, javax.net.ssl.SSLContext tls) throws IOException {
    javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket();
    s.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 5000);
    s.setSoTimeout(30_000);
    s.startHandshake();
    return new RawHttp(s, base);
  }

  /** Sends a whole request on this connection (a first one, or the next on a kept-alive one). */
  public RawHttp request(String method, String path, List<Map.Entry<String, String>> requestHeaders,
      byte[] body, boolean chunked) throws IOException {
    List<Map.Entry<String, String>> all = new ArrayList<>(requestHeaders);
    all.add(chunked ? Map.entry("Transfer-Encoding", "chunked")
        : Map.entry("Content-Length", String.valueOf(body.length)));
    head(method, path, all);
    if (chunked) {
      for (int off = 0; off < body.length; off += 8192) {
        int n = Math.min(8192, body.length - off);
        write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        write(java.util.Arrays.copyOfRange(body, off, off + n));
        write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    } else {
      write(body);
    }
    return this;
  }

  /**
   * Sends the request line and exactly these headers (plus {@code Host}, unless they hold one);
   * no body yet. The header lines go out as given, so a value may carry raw CR or LF.
   */
  public RawHttp head(String method, String path, List<Map.Entry<String, String>> requestHeaders)
      throws IOException {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(base.getRawPath()).append(path).append(" HTTP/1.1\r\n");
    if (requestHeaders.stream().noneMatch(h -> h.getKey().equalsIgnoreCase("host"))) {
      head.append("Host: ").append(base.getHost()).append(':').append(base.getPort())
          .append("\r\n");
    }
    for (Map.Entry<String, String> h : requestHeaders) {
      head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    head.append("\r\n");
    return write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Sends raw bytes (more of a body) on the connection. */
  public RawHttp write(byte[] bytes) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(bytes);
    out.flush();
    return this;
  }

  /**
   * Reads the status line and headers of the next final response; interim {@code 1xx} responses
   * (a {@code 100 Continue}) are skipped and counted in {@link #interimResponses()}.
   */
  public RawHttp readHead() throws IOException {
    headers.clear();
    status = Integer.parseInt(line().split(" ")[1]);
    while (status >= 100 && status < 200) {
      interim++;
      for (String l = line(); !l.isEmpty(); l = line()) {
        // interim headers
      }
      status = Integer.parseInt(line().split(" ")[1]);
    }
    for (String l = line(); !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      headers.add(Map.entry(l.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          l.substring(colon + 1).trim()));
    }
    String te = header("transfer-encoding");
    String length = header("content-length");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      body = new Chunked();
    } else if (length != null) {
      body = new Limited(Long.parseLong(length));
    } else {
      body = in;
    }
    return this;
  }

  /**
   * Reads one interim response (the {@code 100 Continue} a client that sent {@code Expect} waits
   * for before its body) and returns its status; a final status here means the server answered
   * without asking for the body.
   */
  public int readInterim() throws IOException {
    int s = Integer.parseInt(line().split(" ")[1]);
    for (String l = line(); !l.isEmpty(); l = line()) {
      // interim headers
    }
    return s;
  }

  /** How many interim ({@code 1xx}) responses {@link #readHead} has skipped so far. */
  public int interimResponses() {
    return interim;
  }

  public int status() {
    return status;
  }

  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  public String header(String name) {
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue();
      }
    }
    return null;
  }

  public List<String> headers(String name) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase(name)) {
        values.add(h.getValue());
      }
    }
    return values;
  }

  /** The decoded body; EOF at its end (an {@link EOFException} when the body was cut short). */
  public InputStream body() {
    return body;
  }

  public byte[] readBody() throws IOException {
    return body.readAllBytes();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("connection closed in the response head");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private final class Chunked extends InputStream {
    private long left;
    private boolean eof;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (eof) {
        return -1;
      }
      if (left == 0) {
        String size = line();
        left = Long.parseLong(size.split(";")[0].trim(), 16);
        if (left == 0) {
          for (String l = line(); !l.isEmpty(); l = line()) {
            // trailers
          }
          eof = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("chunked body cut short");
      }
      left -= n;
      if (left == 0) {
        line();
      }
      return n;
    }
  }

  private final class Limited extends InputStream {
    private long left;

    Limited(long length) {
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left == 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("body cut short");
      }
      left -= n;
      return n;
    }
  }
}
