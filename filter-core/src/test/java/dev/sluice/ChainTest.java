package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import dev.sluice.testkit.contract.RawHttp;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What other filters in front of Sluice may do to it, on a real Jetty. */
class ChainTest extends MockedJettyTest {
  EmbeddedJetty jetty;

  @AfterEach
  void stop() throws Exception {
    jetty.close();
  }

  /** Passes everything on; registered without async support, like a legacy filter. */
  static final class PlainFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      chain.doFilter(req, res);
    }
  }

  /** Like Logbook: buffers the body and offers a stream that refuses a ReadListener. */
  static final class BufferingWrapperFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      byte[] body = req.getInputStream().readAllBytes();
      chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) req) {
        @Override
        public ServletInputStream getInputStream() {
          return new BodyReaderTest.BlockingOnlyStream(body);
        }
      }, res);
    }
  }

  /**
   * Not async-supported, and records the thread of every write Sluice makes to the client,
   * next to the thread the container gave the request.
   */
  static final class WriteThreadFilter implements Filter {
    final List<String> requestThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> writeThreads = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      requestThreads.add(Thread.currentThread().getName());
      HttpServletResponse response = (HttpServletResponse) res;
      chain.doFilter(req, new HttpServletResponseWrapper(response) {
        @Override
        public ServletOutputStream getOutputStream() throws IOException {
          ServletOutputStream out = response.getOutputStream();
          return new ServletOutputStream() {
            @Override
            public boolean isReady() {
              return out.isReady();
            }

            @Override
            public void setWriteListener(WriteListener listener) {
              out.setWriteListener(listener);
            }

            @Override
            public void write(int b) throws IOException {
              writeThreads.add(Thread.currentThread().getName());
              out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              writeThreads.add(Thread.currentThread().getName());
              out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
              out.flush();
            }
          };
        }
      });
    }
  }

  SluiceFilter sluice() {
    return new SluiceFilter(SluiceConfig.builder().upstream(mock.baseUri()).build());
  }

  HttpResponse<byte[]> post(String body, String scenario) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(jetty.baseUri() + "/v1/messages"))
        .header("x-mock-scenario", scenario)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  @Test
  void nonAsyncFilterInFront_sluiceRelaysInBlockingMode() throws Exception {
    jetty = EmbeddedJetty.start(sluice(), new PlainFilter(), false);
    for (String scenario : List.of("text", "unicode", "tool_use")) {
      assertThat(post(STREAM, scenario).body()).isEqualTo(MockUpstream.transcript(scenario));
    }
    assertThat(post(STREAM, "error_429").statusCode()).isEqualTo(429);
  }

  @Test
  void nonAsyncFilterInFront_blockingWritesRunOnTheRequestThread_neverOnATransportThread()
      throws Exception {
    WriteThreadFilter front = new WriteThreadFilter();
    jetty = EmbeddedJetty.start(sluice(), front, false);
    assertThat(post(STREAM, "long_text").body()).isEqualTo(MockUpstream.transcript("long_text"));
    // A blocking write on a transport thread would stall every other stream of the filter.
    assertThat(front.writeThreads).isNotEmpty().containsOnly(front.requestThreads.get(0));
  }

  @Test
  void nonAsyncFilterInFront_clientDisconnectStillCancelsUpstream() throws Exception {
    jetty = EmbeddedJetty.start(sluice(), new PlainFilter(), false);
    try (RawHttp raw = RawHttp.send(jetty.baseUri(), "POST", "/v1/messages", List.of(
        Map.entry("x-mock-scenario", "paced"), Map.entry("x-mock-deltas", "400"),
        Map.entry("x-mock-delay-ms", "25")), STREAM.getBytes(StandardCharsets.UTF_8), false, 0)) {
      raw.readHead();
      assertThat(raw.body().read(new byte[64])).isPositive();
    }
    RecordedRequest seen = mock.takeRequest(Duration.ofSeconds(5));
    assertThat(seen.awaitOutcome(Duration.ofSeconds(10)))
        .isEqualTo(RecordedRequest.Outcome.CLIENT_CLOSED_EARLY);
  }

  @Test
  void wrapperWithoutNonBlockingReads_fallsBackToBlockingRead() throws Exception {
    jetty = EmbeddedJetty.start(sluice(), new BufferingWrapperFilter(), true);
    assertThat(post(STREAM, "thinking").body()).isEqualTo(MockUpstream.transcript("thinking"));
    assertThat(mock.takeRequest(Duration.ofSeconds(5)).body())
        .isEqualTo(STREAM.getBytes(StandardCharsets.UTF_8));
  }
}
