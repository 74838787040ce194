package dev.sluice.bench.jmh;

import dev.sluice.SluiceConfig;
import dev.sluice.SluiceFilter;
import dev.sluice.upstream.UpstreamCall;
import dev.sluice.upstream.UpstreamListener;
import dev.sluice.upstream.UpstreamRequest;
import dev.sluice.upstream.UpstreamTransport;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark harness (not part of Sluice): one {@link SluiceFilter} run in-process on fake servlet
 * objects and a fake upstream transport, so that a JMH benchmark can push one upstream chunk at a
 * time through the real exchange code: {@code UpstreamListener.onData} -> (hook pipeline, when
 * enabled) -> non-blocking write + flush on the servlet output stream -> demand for the next
 * chunk. What it leaves out: the container's socket I/O and the JDK HttpClient's reading.
 *
 * <p>The fake transport goes in through the filter's public constructor that takes an
 * {@link UpstreamTransport}, as an embedder's would. Requests run in the servlet non-blocking
 * mode (async supported), with a client that is always ready, as Jetty's and Tomcat's output
 * streams are while the socket buffer has room.
 */
public final class InProcessRelay implements AutoCloseable {
  private static final byte[] BODY = ("{\"model\":\"claude-sonnet-4-5-20250929\",\"max_tokens\":"
      + "1024,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}")
      .getBytes(StandardCharsets.UTF_8);
  private static final List<Map.Entry<String, String>> RESPONSE_HEADERS = List.of(
      Map.entry("content-type", "text/event-stream; charset=utf-8"),
      Map.entry("request-id", "req_bench"),
      Map.entry("cache-control", "no-cache"));

  private final SluiceFilter filter;
  private final Transport transport = new Transport();
  private final byte[] preamble;
  private final byte[] epilogue;
  private NullOutput output;

  private InProcessRelay(SluiceConfig config, byte[] preamble, byte[] epilogue)
      throws ServletException {
    this.filter = new SluiceFilter(config, transport);
    this.preamble = preamble;
    this.epilogue = epilogue;
    filter.init(filterConfig());
  }

  /**
   * A filter with the named hooks (none: the pure byte relay) and, when {@code legacy}, the
   * legacy pipeline. {@code preamble} is sent as the first chunk of every exchange (message_start,
   * content_block_start), {@code epilogue} as its last.
   */
  public static InProcessRelay create(List<String> hooks, boolean legacy, byte[] preamble,
      byte[] epilogue) throws ServletException {
    SluiceConfig config = SluiceConfig.builder()
        .upstream(URI.create("http://127.0.0.1:9"))
        .hooks(hooks)
        .legacyPipeline(legacy)
        .build();
    return new InProcessRelay(config, preamble, epilogue);
  }

  /** Starts a new exchange: request read, upstream "answers" 200, the preamble is relayed. */
  public void begin() throws IOException, ServletException {
    FakeInput in = new FakeInput(BODY);
    output = new NullOutput();
    HttpServletResponse response = response(output);
    HttpServletRequest request = request(in, response);
    filter.doFilter(request, response, (FilterChain) (req, res) -> {
      throw new IllegalStateException("the filter passed /v1/messages down the chain");
    });
    if (in.listener == null) {
      throw new IllegalStateException("the filter did not read the body without blocking");
    }
    in.listener.onDataAvailable(); // what the container does after setReadListener
    in.listener.onAllDataRead();
    if (transport.listener == null) {
      throw new IllegalStateException("the filter did not open an upstream call");
    }
    chunk(ByteBuffer.wrap(preamble));
  }

  /** Relays one upstream chunk (as the transport hands it over) to the fake client. */
  public void chunk(ByteBuffer data) {
    chunk(List.of(data));
  }

  /** The same, with the transport's list as given (a benchmark may reuse one). */
  public void chunk(List<ByteBuffer> data) {
    int before = transport.demands;
    transport.listener.onData(data);
    if (transport.demands == before) {
      throw new IllegalStateException("the filter did not ask for the next chunk");
    }
  }

  /** Relays the epilogue and ends the exchange as upstream's end would. */
  public void end() {
    chunk(ByteBuffer.wrap(epilogue));
    transport.listener.onComplete();
    transport.listener = null;
  }

  /** Bytes the fake client received in the current exchange. */
  public long written() {
    return output.bytes;
  }

  @Override
  public void close() {
    filter.destroy();
  }

  // ---- fakes ----

  private static final class Transport implements UpstreamTransport {
    UpstreamListener listener;
    int demands;

    @Override
    public UpstreamCall open(UpstreamRequest request, UpstreamListener l) {
      return new UpstreamCall() {
        @Override
        public void start() {
          listener = l;
          l.onResponse(200, RESPONSE_HEADERS);
        }

        @Override
        public void demand() {
          demands++;
        }

        @Override
        public void cancel() {}
      };
    }
  }

  private static final class FakeInput extends ServletInputStream {
    private final byte[] body;
    private int pos;
    ReadListener listener;

    FakeInput(byte[] body) {
      this.body = body;
    }

    @Override
    public boolean isFinished() {
      return pos == body.length;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener readListener) {
      this.listener = readListener;
    }

    @Override
    public int read() {
      return pos < body.length ? body[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos == body.length) {
        return -1;
      }
      int n = Math.min(len, body.length - pos);
      System.arraycopy(body, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  /** A client that is always ready and drops what it gets (counting the bytes). */
  private static final class NullOutput extends ServletOutputStream {
    long bytes;
    int flushes;
    WriteListener listener;

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
      this.listener = writeListener;
    }

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }

    @Override
    public void flush() {
      flushes++;
    }
  }

  private static HttpServletRequest request(FakeInput in, HttpServletResponse response) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/json");
    headers.put("anthropic-version", "2023-06-01");
    headers.put("x-api-key", "sk-ant-benchmark");
    headers.put("content-length", Integer.toString(BODY.length));
    AsyncContext async = proxy(AsyncContext.class, (p, m, a) -> null);
    HttpServletRequest[] self = new HttpServletRequest[1];
    self[0] = proxy(HttpServletRequest.class, (p, m, a) -> switch (m.getName()) {
      case "getMethod" -> "POST";
      case "getRequestURI" -> "/v1/messages";
      case "getContextPath", "getServletPath" -> "";
      case "getPathInfo" -> "/v1/messages";
      case "getQueryString" -> null;
      case "isAsyncSupported" -> true;
      case "isAsyncStarted" -> false;
      case "startAsync" -> async;
      case "getContentLengthLong" -> (long) BODY.length;
      case "getContentLength" -> BODY.length;
      case "getContentType" -> "application/json";
      case "getInputStream" -> in;
      case "getProtocol" -> "HTTP/1.1";
      case "getScheme" -> "http";
      case "getRemoteAddr" -> "127.0.0.1";
      case "getHeader" -> headers.get(((String) a[0]).toLowerCase(Locale.ROOT));
      case "getHeaders" -> {
        String v = headers.get(((String) a[0]).toLowerCase(Locale.ROOT));
        yield Collections.enumeration(v == null ? List.of() : List.of(v));
      }
      case "getHeaderNames" -> Collections.enumeration(headers.keySet());
      case "getAttribute" -> null;
      default -> defaultValue(m);
    });
    return self[0];
  }

  private static HttpServletResponse response(NullOutput out) {
    Map<String, String> headers = new LinkedHashMap<>();
    int[] status = {200};
    boolean[] committed = {false};
    return proxy(HttpServletResponse.class, (p, m, a) -> switch (m.getName()) {
      case "setStatus" -> {
        status[0] = (Integer) a[0];
        yield null;
      }
      case "getStatus" -> status[0];
      case "setHeader", "addHeader" -> {
        headers.put(((String) a[0]).toLowerCase(Locale.ROOT), (String) a[1]);
        yield null;
      }
      case "setContentType" -> {
        headers.put("content-type", (String) a[0]);
        yield null;
      }
      case "getContentType" -> headers.get("content-type");
      case "getHeader" -> headers.get(((String) a[0]).toLowerCase(Locale.ROOT));
      case "containsHeader" -> headers.containsKey(((String) a[0]).toLowerCase(Locale.ROOT));
      case "getHeaderNames" -> List.copyOf(headers.keySet());
      case "getOutputStream" -> {
        committed[0] = true;
        yield out;
      }
      case "isCommitted" -> committed[0];
      case "getCharacterEncoding" -> "UTF-8";
      default -> defaultValue(m);
    });
  }

  private static FilterConfig filterConfig() {
    ServletContext context = proxy(ServletContext.class, (p, m, a) -> switch (m.getName()) {
      case "getClassLoader" -> InProcessRelay.class.getClassLoader();
      case "getContextPath" -> "";
      case "getInitParameter" -> null;
      case "getInitParameterNames" -> Collections.emptyEnumeration();
      default -> defaultValue(m);
    });
    return proxy(FilterConfig.class, (p, m, a) -> switch (m.getName()) {
      case "getServletContext" -> context;
      case "getFilterName" -> "sluice";
      case "getInitParameter" -> null;
      case "getInitParameterNames" -> Collections.emptyEnumeration();
      default -> defaultValue(m);
    });
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, InvocationHandler handler) {
    return (T) Proxy.newProxyInstance(InProcessRelay.class.getClassLoader(), new Class<?>[] {type},
        (p, m, a) -> {
          if (m.getDeclaringClass() == Object.class) {
            return switch (m.getName()) {
              case "hashCode" -> System.identityHashCode(p);
              case "equals" -> p == a[0];
              default -> type.getSimpleName() + "(fake)";
            };
          }
          return handler.invoke(p, m, a);
        });
  }

  private static Object defaultValue(Method m) {
    Class<?> r = m.getReturnType();
    if (r == boolean.class) {
      return false;
    } else if (r == int.class) {
      return 0;
    } else if (r == long.class) {
      return 0L;
    } else if (r == void.class || !r.isPrimitive()) {
      if (r == java.util.Enumeration.class) {
        return Collections.emptyEnumeration();
      }
      if (r == java.util.Collection.class) {
        return List.of();
      }
      return null;
    }
    return null;
  }
}
