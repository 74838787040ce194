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
  private final InputStream in;
  private int status;
  private final List<Map.Entry<String, String>> headers = new ArrayList<>();
  private InputStream body;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new java.io.BufferedInputStream(socket.getInputStream(), 8192);
  }

  /** Connects and sends the request; {@code chunked} sends the body with chunked encoding. */
  public static RawHttp send(URI base, String method, String path,
      List<Map.Entry<String, String>> requestHeaders, byte[] body, boolean chunked,
      int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 5000);
    s.setSoTimeout(30_000);
    RawHttp http = new RawHttp(s);
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(base.getRawPath()).append(path).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
    for (Map.Entry<String, String> h : requestHeaders) {
      head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    if (chunked) {
      head.append("Transfer-Encoding: chunked\r\n");
    } else {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    OutputStream out = s.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (chunked) {
      for (int off = 0; off < body.length; off += 8192) {
        int n = Math.min(8192, body.length - off);
        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, off, n);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    } else {
      out.write(body);
    }
    out.flush();
    return http;
  }

  /** Reads the status line and headers. */
  public RawHttp readHead() throws IOException {
    String statusLine = line();
    status = Integer.parseInt(statusLine.split(" ")[1]);
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
