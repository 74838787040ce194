package dev.sluice.autoregister;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.SluiceFilter;
import dev.sluice.testkit.MockUpstream;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registration in a real container (embedded Jetty 12, ee10), called as the container calls a
 * {@code ServletContainerInitializer}: a web app with only its own servlet at {@code /*}, which
 * answers {@code app} to every request that reaches it.
 */
class SluiceAutoRegistrationTest {
  static final String REQUEST = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  static MockUpstream mock;
  final HttpClient http = HttpClient.newHttpClient();
  Server server;
  ServletContext context;
  URI base;

  @BeforeAll
  static void startMock() {
    mock = MockUpstream.start();
  }

  @AfterAll
  static void stopMock() {
    mock.close();
  }

  @BeforeEach
  void forget() {
    mock.reset();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) server.stop();
  }

  @Test
  void registersAsyncFilter_onTheGatewayPathsOnly_configuredByContextParams() throws Exception {
    start(Map.of("sluice.upstream", mock.baseUri().toString()), c -> {}, 1);

    FilterRegistration sluice = context.getFilterRegistration("sluice");
    assertThat(sluice.getClassName()).isEqualTo(SluiceFilter.class.getName());
    assertThat(sluice.getUrlPatternMappings())
        .containsExactly("/v1/messages", "/v1/messages/*");
    HttpResponse<byte[]> relayed = post("/v1/messages", REQUEST);
    assertThat(relayed.statusCode()).isEqualTo(200);
    assertThat(relayed.body()).isEqualTo(MockUpstream.transcript("text"));
    HttpResponse<byte[]> counted = post("/v1/messages/count_tokens", REQUEST);
    assertThat(new String(counted.body(), StandardCharsets.UTF_8)).contains("\"input_tokens\"");
    assertThat(mock.requests()).hasSize(2);
    assertThat(body(post("/v1/messagesX", REQUEST))).isEqualTo("app");
    assertThat(body(post("/other", REQUEST))).isEqualTo("app");
    assertThat(mock.requests()).hasSize(2);
  }

  @Test
  void runsBeforeTheFiltersTheAppDeclares() throws Exception {
    start(Map.of("sluice.upstream", mock.baseUri().toString()), c -> c.addFilter(
        new FilterHolder(new Refusing()), "/*", EnumSet.of(DispatcherType.REQUEST)), 1);

    assertThat(post("/v1/messages", REQUEST).statusCode()).isEqualTo(200);
    assertThat(post("/other", REQUEST).statusCode()).as("the app's filter").isEqualTo(403);
  }

  @Test
  void switchedOffByContextParam() throws Exception {
    start(Map.of("sluice.upstream", mock.baseUri().toString(), "sluice.autoregister", "false"),
        c -> {}, 1);

    assertThat(context.getFilterRegistrations()).isEmpty();
    assertThat(body(post("/v1/messages", REQUEST))).isEqualTo("app");
    assertThat(mock.requests()).isEmpty();
  }

  @Test
  void systemPropertySwitch_winsOverTheContextParam() throws Exception {
    System.setProperty("sluice.autoregister", "false");
    try {
      start(Map.of("sluice.upstream", mock.baseUri().toString(), "sluice.autoregister", "true"),
          c -> {}, 1);
    } finally {
      System.clearProperty("sluice.autoregister");
    }

    assertThat(context.getFilterRegistrations()).isEmpty();
    assertThat(body(post("/v1/messages", REQUEST))).isEqualTo("app");
  }

  @Test
  void appAlreadyDeclaresSluiceFilter_noSecondOne() throws Exception {
    start(Map.of("sluice.upstream", mock.baseUri().toString()), c -> {
      FilterHolder own = new FilterHolder(SluiceFilter.class);
      own.setName("relay");
      own.setAsyncSupported(true);
      c.addFilter(own, "/*", EnumSet.of(DispatcherType.REQUEST));
    }, 1);

    assertThat(context.getFilterRegistrations()).containsOnlyKeys("relay");
    assertThat(post("/v1/messages", REQUEST).statusCode()).isEqualTo(200);
  }

  @Test
  void calledBothWays_registersOnce() throws Exception {
    start(Map.of("sluice.upstream", mock.baseUri().toString()), c -> {}, 2);

    assertThat(context.getFilterRegistrations()).containsOnlyKeys("sluice");
    assertThat(post("/v1/messages", REQUEST).statusCode()).isEqualTo(200);
  }

  @Test
  void anotherFilterNamedSluice_failsStartSayingWhatToDo() {
    Throwable failure = catchThrowable(() -> start(Map.of(), c -> {
      FilterHolder other = new FilterHolder(new Refusing());
      other.setName("sluice");
      c.addFilter(other, "/*", EnumSet.of(DispatcherType.REQUEST));
    }, 1));

    assertThat(failure).hasStackTraceContaining("already has a filter named 'sluice' ("
        + Refusing.class.getName() + "); rename it, or set the context param "
        + "sluice.autoregister=false");
  }

  @Test
  void invalidSwitch_failsStartNamingIt() {
    Throwable failure = catchThrowable(
        () -> start(Map.of("sluice.autoregister", "maybe"), c -> {}, 1));

    assertThat(failure).hasStackTraceContaining("Invalid Sluice setting 'autoregister' "
        + "(context param sluice.autoregister): 'maybe'; expected true or false");
  }

  /**
   * Starts a web app at {@code /app} with {@code params} as context params, {@code declare}'s
   * filters as if from its {@code web.xml}, and {@code calls} initializers of this class.
   */
  void start(Map<String, String> params, Consumer<ServletContextHandler> declare, int calls)
      throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler app = new ServletContextHandler("/app");
    params.forEach(app::setInitParameter);
    app.addServlet(new ServletHolder(new AppServlet()), "/*");
    declare.accept(app);
    for (int i = 0; i < calls; i++) {
      app.addServletContainerInitializer(new SluiceAutoRegistration());
    }
    server.setHandler(app);
    server.start();
    if (!app.isAvailable()) {
      throw new IllegalStateException("web app failed to start");
    }
    context = app.getServletContext();
    base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/app");
  }

  HttpResponse<byte[]> post(String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static String body(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  /** The app itself: {@code app} for every request. */
  static final class AppServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.getWriter().write("app");
    }
  }

  /** An app filter that refuses every request it sees with 403. */
  static final class Refusing implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException {
      ((HttpServletResponse) res).sendError(403);
    }
  }
}
