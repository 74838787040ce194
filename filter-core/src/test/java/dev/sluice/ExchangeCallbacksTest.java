package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.sluice.hook.EventContext;
import dev.sluice.hook.Hook;
import dev.sluice.hook.ResponseContext;
import dev.sluice.upstream.UpstreamCall;
import dev.sluice.upstream.UpstreamListener;
import dev.sluice.upstream.UpstreamRequest;
import dev.sluice.upstream.UpstreamTransport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * How the exchange behaves when its callbacks come from unusual places, with mocked servlet
 * objects and a scripted transport.
 *
 * <p>Tomcat calls {@code onWritePossible} from inside {@code setWriteListener} when that is called
 * off a container thread (here: the transport's thread reporting a failure). An answer Sluice
 * makes itself must be queued before it registers, or the exchange ends with headers and no body.
 */
class ExchangeCallbacksTest {
  private static final byte[] BODY =
      "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}".getBytes(StandardCharsets.UTF_8);

  private SluiceFilter filter;
  private jakarta.servlet.FilterConfig filterConfig;
  /** Set when the exchange completes the AsyncContext; completing takes a while, on purpose. */
  private final java.util.concurrent.atomic.AtomicBoolean asyncCompleted =
      new java.util.concurrent.atomic.AtomicBoolean();

  @AfterEach
  void destroy() {
    if (filter != null) {
      filter.destroy();
    }
  }

  @Test
  void unreachableUpstream_localErrorBodyIsWritten_whenOnWritePossibleRunsInsideSetWriteListener()
      throws Exception {
    Exchanged x = run(List.of(), listener -> listener.onFailure(new ConnectException("refused")));

    verify(x.response).setStatus(502);
    assertThat(x.out.text()).contains("\"type\":\"error\"").contains("\"api_error\"");
    verify(x.async, times(1)).complete();
  }

  @Test
  void streamedResponse_startsWhenOnWritePossibleRunsInsideSetWriteListener() throws Exception {
    byte[] event = "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(StandardCharsets.UTF_8);
    Exchanged x = run(List.of(), listener -> replay(listener, event));

    verify(x.response).setStatus(200);
    assertThat(x.out.text()).isEqualTo(new String(event, StandardCharsets.UTF_8));
    verify(x.async, times(1)).complete();
  }

  @Test
  void hooksSeeTheWebAppsContextClassLoader_onTransportThreads() throws Exception {
    byte[] event = "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(StandardCharsets.UTF_8);
    ClassLoader app = new URLClassLoader(new URL[0], getClass().getClassLoader());
    ClassLoader transportLoader = new URLClassLoader(new URL[0], null);
    List<ClassLoader> seen = new CopyOnWriteArrayList<>();
    Hook hook = new Hook() {
      @Override
      public String name() {
        return "loader-probe";
      }

      @Override
      public void onResponseStart(ResponseContext response) {
        seen.add(Thread.currentThread().getContextClassLoader());
      }

      @Override
      public void onEvent(EventContext event) {
        seen.add(Thread.currentThread().getContextClassLoader());
      }
    };
    Thread requestThread = Thread.currentThread();
    ClassLoader before = requestThread.getContextClassLoader();
    CountDownLatch replayed = new CountDownLatch(1);
    Exchanged x;
    requestThread.setContextClassLoader(app); // what the container sets for a web app's request
    try {
      x = run(List.of(hook), listener -> {
        Thread t = new Thread(() -> {
          replay(listener, event);
          assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(transportLoader);
          replayed.countDown();
        }, "fake-transport");
        t.setContextClassLoader(transportLoader);
        t.start();
      });
    } finally {
      requestThread.setContextClassLoader(before);
    }

    assertThat(replayed.await(10, TimeUnit.SECONDS)).isTrue();
    verify(x.async, timeout(10_000)).complete();
    assertThat(seen).hasSize(2).allSatisfy(l -> assertThat(l).isSameAs(app));
  }

  @Test
  void openExchanges_countsAnExchangeFromStartUntilItCompletes() throws Exception {
    AtomicReference<UpstreamListener> upstream = new AtomicReference<>();
    Exchanged x = run(List.of(), upstream::set);
    IntSupplier published = publishedCount();

    assertThat(filter.openExchanges()).isEqualTo(1);
    assertThat(published.getAsInt()).isEqualTo(1);

    replay(upstream.get(), PING);
    verify(x.async, times(1)).complete();
    assertThat(filter.openExchanges()).isZero();
    assertThat(published.getAsInt()).isZero();
  }

  @Test
  void openExchanges_dropsWhenTheClientLeavesMidStream() throws Exception {
    AtomicReference<UpstreamListener> upstream = new AtomicReference<>();
    Exchanged x = run(List.of(), upstream::set);
    upstream.get().onResponse(200, List.of(Map.entry("content-type", "text/event-stream")));
    ArgumentCaptor<AsyncListener> container = ArgumentCaptor.forClass(AsyncListener.class);
    verify(x.async).addListener(container.capture());
    assertThat(filter.openExchanges()).isEqualTo(1);

    container.getValue().onError(new AsyncEvent(x.async, new java.io.IOException("reset")));
    assertThat(filter.openExchanges()).isZero();
    container.getValue().onComplete(new AsyncEvent(x.async)); // the container's own end: no-op
    assertThat(filter.openExchanges()).isZero();
  }

  @Test
  void openExchangesAttribute_isRemovedOnDestroy() throws Exception {
    run(List.of(), upstream -> replay(upstream, PING));
    publishedCount();

    filter.destroy();
    verify(filterConfig.getServletContext())
        .removeAttribute(SluiceFilter.OPEN_EXCHANGES_ATTRIBUTE + "sluice");
    filter = null;
  }

  /** The count the filter published as a context attribute in init. */
  private IntSupplier publishedCount() {
    ArgumentCaptor<Object> value = ArgumentCaptor.forClass(Object.class);
    verify(filterConfig.getServletContext()).setAttribute(
        org.mockito.ArgumentMatchers.eq(SluiceFilter.OPEN_EXCHANGES_ATTRIBUTE + "sluice"),
        value.capture());
    return (IntSupplier) value.getValue();
  }

  /**
   * The complete point runs once the client's response has ended (the AsyncContext completed),
   * on the completion executor, never on the thread that relayed the last byte. Completing is
   * slowed down here so that a record handed over before it would be seen early.
   */
  @Test
  void completeHook_runsAfterTheResponseIsCompleted_onTheCompletionThread() throws Exception {
    byte[] event = "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(StandardCharsets.UTF_8);
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch called = new CountDownLatch(1);
    Hook hook = new Hook() {
      @Override
      public String name() {
        return "order-probe";
      }

      @Override
      public void onComplete(dev.sluice.hook.ExchangeRecord record) {
        seen.add(Thread.currentThread().getName() + " after complete: " + asyncCompleted.get()
            + ", outcome " + record.outcome());
        called.countDown();
      }
    };
    Exchanged x = run(List.of(hook), listener -> replay(listener, event));

    assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();
    verify(x.async, times(1)).complete();
    assertThat(seen).singleElement().asString()
        .startsWith("sluice-complete").endsWith("after complete: true, outcome COMPLETED");
  }

  private static void replay(UpstreamListener listener, byte[] event) {
    listener.onResponse(200, List.of(Map.entry("content-type", "text/event-stream")));
    listener.onData(List.of(java.nio.ByteBuffer.wrap(event)));
    listener.onComplete();
  }

  private static final byte[] PING =
      "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(StandardCharsets.UTF_8);

  record Exchanged(HttpServletResponse response, InlineOutput out, AsyncContext async) {}

  /** One POST through the filter; the transport replays {@code upstream} when started. */
  private Exchanged run(List<Hook> hooks, Consumer<UpstreamListener> upstream) throws Exception {
    UpstreamTransport transport = (request, listener) -> new UpstreamCall() {
      @Override
      public void start() {
        upstream.accept(listener);
      }

      @Override
      public void demand() {}

      @Override
      public void cancel() {}
    };
    filter = new SluiceFilter(SluiceConfig.builder().upstream(URI.create("http://127.0.0.1:9"))
        .build(), hooks, transport);
    filterConfig = SluiceFilterTest.config(Map.of(), Map.of());
    when(filterConfig.getFilterName()).thenReturn("sluice");
    filter.init(filterConfig);

    HttpServletRequest request = mock(HttpServletRequest.class);
    HttpServletResponse response = mock(HttpServletResponse.class);
    AsyncContext async = mock(AsyncContext.class);
    InlineOutput out = new InlineOutput();
    when(request.getRequestURI()).thenReturn("/app/v1/messages");
    when(request.getContextPath()).thenReturn("/app");
    when(request.getMethod()).thenReturn("POST");
    when(request.isAsyncSupported()).thenReturn(true);
    when(request.startAsync(any(), any())).thenReturn(async);
    org.mockito.Mockito.doAnswer(i -> {
      Thread.sleep(200);
      asyncCompleted.set(true);
      return null;
    }).when(async).complete();
    when(request.getContentLengthLong()).thenReturn((long) BODY.length);
    when(request.getInputStream()).thenReturn(new BlockingOnlyInput(BODY));
    when(request.getHeaderNames()).thenReturn(Collections.emptyEnumeration());
    when(request.getHeaders(anyString())).thenReturn(Collections.emptyEnumeration());
    when(response.getOutputStream()).thenReturn(out);
    when(response.getContentType()).thenAnswer(i -> out.contentType);
    org.mockito.Mockito.doAnswer(i -> out.contentType = i.getArgument(1))
        .when(response).setHeader(org.mockito.ArgumentMatchers.eq("content-type"), anyString());
    org.mockito.Mockito.doAnswer(i -> out.contentType = i.getArgument(0))
        .when(response).setContentType(anyString());

    filter.doFilter(request, response, mock(FilterChain.class));
    return new Exchanged(response, out, async);
  }

  /** Like Tomcat's stream off a container thread: registering runs onWritePossible at once. */
  static final class InlineOutput extends ServletOutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    volatile String contentType;

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      try {
        listener.onWritePossible();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void write(int b) {
      bytes.write(b);
    }

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** A wrapper that refuses setReadListener, so the body is read blocking on this thread. */
  static final class BlockingOnlyInput extends ServletInputStream {
    private final ByteArrayInputStream in;

    BlockingOnlyInput(byte[] body) {
      in = new ByteArrayInputStream(body);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, len);
    }

    @Override
    public boolean isFinished() {
      return in.available() == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new UnsupportedOperationException("blocking only");
    }
  }
}
