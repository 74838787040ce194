package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.hook.Headers;
import dev.sluice.hook.Hook;
import dev.sluice.hook.RequestContext;
import dev.sluice.hook.ResponseContext;
import dev.sluice.testkit.LogCapture;
import dev.sluice.testkit.RecordedRequest;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What hooks may see of credentials, what a hook or a client may not put in a header, which paths
 * are relayed, and what error bodies and messages say, in a real Jetty against the mock upstream.
 * The container suites (testkit's SecurityContract) scan every log line on Jetty and Tomcat.
 */
class SecurityTest extends MockedJettyTest {
  static final String CLIENT_KEY = "sk-ant-client-7f3a9c";
  static final String CONFIGURED_KEY = "sk-ant-configured-91c2e4";
  static final String BODY = PipelineTest.NON_STREAM;

  /** A hook that only acts on requests. */
  static Hook requestHook(String name, Consumer<RequestContext> action) {
    return new Hook() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void onRequest(RequestContext request) {
        action.accept(request);
      }
    };
  }

  HttpResponse<String> post(URI base) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
        .timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").header("x-api-key", CLIENT_KEY)
        .header("authorization", "Bearer " + CLIENT_KEY).header("cookie", "s=" + CLIENT_KEY)
        .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Records what a hook is shown of the request's and the response's headers. */
  static class Peek implements Hook {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "peek";
    }

    @Override
    public void onRequest(RequestContext request) {
      Headers h = request.headers();
      seen.add(h.get("x-api-key"));
      seen.addAll(h.all("authorization"));
      seen.add(h.lines().toString());
      seen.add(h.toString());
    }

    @Override
    public void onResponseStart(ResponseContext response) {
      seen.add(response.headers().get("set-cookie"));
      seen.add(response.headers().lines().toString());
    }
  }

  // ---- credentials ----

  @Test
  void hooks_seeCredentialsRedacted_whileUpstreamGetsTheRealOnes() throws Exception {
    Peek peek = new Peek();
    assertThat(post(jetty(peek).baseUri()).statusCode()).isEqualTo(200);
    assertThat(peek.seen).hasSize(6).noneMatch(s -> s.contains(CLIENT_KEY))
        .noneMatch(s -> s.contains("_cfuvid=mock")); // the mock's set-cookie
    assertThat(peek.seen.get(0)).isEqualTo(Headers.REDACTED);
    assertThat(peek.seen.get(1)).isEqualTo(Headers.REDACTED);
    assertThat(peek.seen.get(4)).isEqualTo(Headers.REDACTED);
    RecordedRequest upstream = mock.takeRequest(Duration.ofSeconds(5));
    assertThat(upstream.header("x-api-key")).isEqualTo(CLIENT_KEY);
    assertThat(upstream.header("authorization")).isEqualTo("Bearer " + CLIENT_KEY);
  }

  @Test
  void configuredKey_isRedactedForHooks_andSentUpstream() throws Exception {
    Peek peek = new Peek();
    EmbeddedJetty j = jetty(SluiceConfig.builder().upstream(mock.baseUri())
        .apiKey(CONFIGURED_KEY).build(), peek);
    assertThat(post(j.baseUri()).statusCode()).isEqualTo(200);
    assertThat(peek.seen).noneMatch(s -> s.contains(CONFIGURED_KEY) || s.contains(CLIENT_KEY));
    assertThat(peek.seen.get(0)).isEqualTo(Headers.REDACTED);
    assertThat(mock.takeRequest(Duration.ofSeconds(5)).header("x-api-key"))
        .isEqualTo(CONFIGURED_KEY);
  }

  @Test
  void hookThatReadsCredentials_seesThem_andAnyHookMaySetOne() throws Exception {
    Peek reader = new Peek() {
      @Override
      public String name() {
        return "reader";
      }

      @Override
      public boolean readsCredentials() {
        return true;
      }
    };
    // A virtual key swapped for the upstream one, never read back; runs after the reader.
    Hook swapper = requestHook("zz-swapper",
        r -> r.headers().set("x-api-key", CONFIGURED_KEY).remove("authorization"));
    assertThat(post(jetty(reader, swapper).baseUri()).statusCode()).isEqualTo(200);
    assertThat(reader.seen.get(0)).isEqualTo(CLIENT_KEY);
    assertThat(reader.seen.get(4)).isEqualTo("_cfuvid=mock; path=/; HttpOnly");
    RecordedRequest upstream = mock.takeRequest(Duration.ofSeconds(5));
    assertThat(upstream.header("x-api-key")).isEqualTo(CONFIGURED_KEY);
    assertThat(upstream.header("authorization")).isNull();
  }

  @Test
  void startUpLine_namesTheHooksThatReadCredentials() {
    Hook reader = new Hook() {
      @Override
      public String name() {
        return "my-auth";
      }

      @Override
      public void onRequest(RequestContext request) {}

      @Override
      public boolean readsCredentials() {
        return true;
      }
    };
    assertThat(HookRegistry.of(List.of(reader, new Peek())).toString())
        .isEqualTo("my-auth[REQUEST] reads credentials, peek[REQUEST, RESPONSE_START]");
  }

  @Test
  void apiKeySetting_withALineBreak_failsStart_withoutShowingTheKey() {
    Settings settings = new Settings(List.of(Settings.named(s -> "init-param " + s,
        s -> Map.of("api-key", CONFIGURED_KEY + "\nx-injected: 1").get(s))));
    assertThatThrownBy(settings::read).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'api-key'").hasMessageContaining("CR, LF or NUL")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(CONFIGURED_KEY));
  }

  // ---- CR/LF ----

  @ParameterizedTest
  @ValueSource(strings = {"v\r\nx-injected: 1", "v\nx-injected: 1", "v\rx-injected: 1",
      "v\u0000x-injected"})
  void hookSettingCrLf_failsTheRequestClosed_neverForwarded_neverLogged(String value)
      throws Exception {
    Hook splitter = requestHook("splitter", r -> r.headers().add("x-trace", value));
    EmbeddedJetty j = jetty(splitter);
    HttpResponse<String> r;
    try (LogCapture logs = LogCapture.start("dev.sluice")) {
      r = post(j.baseUri());
      assertThat(logs.text()).contains("Hook 'splitter' set an invalid header, 'x-trace'")
          .doesNotContain("x-injected");
    }
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("\"type\":\"api_error\"")
        .contains("Request hook 'splitter' set an invalid header").doesNotContain("x-injected");
    assertThat(mock.requests()).isEmpty();
  }

  @Test
  void hookSettingAnInvalidName_failsClosed() throws Exception {
    Hook namer = requestHook("namer", r -> r.headers().add("x-a\r\nx-injected", "1"));
    HttpResponse<String> r = post(jetty(namer).baseUri());
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(mock.requests()).isEmpty();
  }

  @Test
  void clientValueWithCrLf_fromAWrapperInFront_is400_neverForwarded() throws Exception {
    Filter wrapping = (req, res, chain) -> chain.doFilter(new HttpServletRequestWrapper(
        (HttpServletRequest) req) {
      @Override
      public Enumeration<String> getHeaderNames() {
        List<String> names = Collections.list(super.getHeaderNames());
        names.add("x-wrapped");
        return Collections.enumeration(names);
      }

      @Override
      public Enumeration<String> getHeaders(String name) {
        return name.equals("x-wrapped")
            ? Collections.enumeration(List.of("v\r\nx-injected: 1")) : super.getHeaders(name);
      }
    }, res);
    EmbeddedJetty j = jetty(SluiceConfig.builder().upstream(mock.baseUri()).build(), wrapping);
    HttpResponse<String> r = post(j.baseUri());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"type\":\"invalid_request_error\"").contains("'x-wrapped'")
        .doesNotContain("x-injected");
    assertThat(mock.requests()).isEmpty();
  }

  // ---- error bodies ----

  @Test
  void throwingHook_errorBodyCarriesNoTraceClassNorMessage() throws Exception {
    Hook thrower = requestHook("thrower", r -> {
      throw new IllegalStateException("internal detail " + CLIENT_KEY);
    });
    HttpResponse<String> r = post(jetty(thrower).baseUri());
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("\"type\":\"api_error\"", "Request hook 'thrower' failed")
        .doesNotContain("Exception", "internal detail", CLIENT_KEY, "\tat ", "dev.sluice.");
  }

  @Test
  void internalError_endsTheExchangeWith502_noTraceInTheBody() throws Exception {
    dev.sluice.upstream.UpstreamTransport broken = new dev.sluice.upstream.UpstreamTransport() {
      @Override
      public dev.sluice.upstream.UpstreamCall open(dev.sluice.upstream.UpstreamRequest request,
          dev.sluice.upstream.UpstreamListener listener) {
        throw new IllegalStateException("bug with a detail " + CLIENT_KEY);
      }

      @Override
      public void close() {}
    };
    SluiceFilter sluice = new SluiceFilter(SluiceConfig.builder().upstream(mock.baseUri()).build(),
        List.of(), broken);
    try (EmbeddedJetty j = EmbeddedJetty.start(sluice)) {
      HttpResponse<String> r = post(j.baseUri()); // without the fix: no answer, ever
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.body()).contains("Internal error in the Sluice gateway")
          .doesNotContain("Exception", "bug with a detail", CLIENT_KEY, "\tat ");
    }
  }

  @Test
  void upstreamFailureMessages_nameNoExceptionClassNorMessage() {
    String secret = "http://10.0.0.7/internal?key=" + CLIENT_KEY;
    assertThat(Errors.upstreamFailure(new ConnectException(secret)))
        .isEqualTo("Upstream connection failed: could not connect");
    ConnectException unresolved = new ConnectException(secret);
    unresolved.initCause(new UnresolvedAddressException());
    assertThat(Errors.upstreamFailure(unresolved))
        .isEqualTo("Upstream connection failed: unknown host");
    assertThat(Errors.upstreamFailure(new HttpConnectTimeoutException(secret)))
        .isEqualTo("Timed out connecting to the upstream API");
    assertThat(Errors.upstreamFailure(new java.io.IOException(secret)))
        .isEqualTo("Upstream connection failed");
    assertThat(Errors.causes(unresolved)).isEqualTo(
        "java.net.ConnectException < java.nio.channels.UnresolvedAddressException");
  }

  @Test
  void refusedUpstream_bodySaysSoInWords() throws Exception {
    EmbeddedJetty j = jetty(SluiceConfig.builder()
        .upstream(URI.create("http://127.0.0.1:" + closedPort())).build());
    HttpResponse<String> r = post(j.baseUri());
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("Upstream connection failed: could not connect")
        .doesNotContain("Exception");
  }

  // ---- paths ----

  @ParameterizedTest
  @ValueSource(strings = {"/v1/messages/..", "/v1/messages/../admin", "/v1/messages/./x",
      "/v1/messages/%2e%2e/x", "/v1/messages/%2E%2E%2Fadmin", "/v1/messages/..%2F..%2Fadmin",
      "/v1/messages/%252e%252e%252fadmin", "/v1/messages/x;a=b", "/v1/messages;x",
      "/v1/messages/..\\admin", "/v1/messages/%5C..", "/v1/messages//x", "/v1/messages/",
      "/v1/messages/.hidden", "/v1/messages/x#y", "/v1/messages/%41", "/v1/messages/x@evil"})
  void uncleanPaths_areNeverRelayed(String path) {
    assertThat(SluiceFilter.target(URI.create("https://api.anthropic.com"), path, null)).isNull();
  }

  @Test
  void cleanPaths_keepTheConfiguredHost() {
    URI upstream = URI.create("https://api.anthropic.com");
    assertThat(SluiceFilter.target(upstream, "/v1/messages", "beta=true"))
        .hasToString("https://api.anthropic.com/v1/messages?beta=true");
    assertThat(SluiceFilter.target(upstream, "/v1/messages/batches/msgbatch_01A-b.c~d/cancel",
        null)).hasHost("api.anthropic.com");
    assertThat(SluiceFilter.target(upstream, "/v1/messages", "a=1#@evil.example")).isNull();
    assertThat(SluiceFilter.target(upstream, "/v1/messages", "u=http://evil.example/x"))
        .hasHost("api.anthropic.com").hasPath("/v1/messages");
  }

  /** A loopback port nothing listens on (it was free a moment ago). */
  static int closedPort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
