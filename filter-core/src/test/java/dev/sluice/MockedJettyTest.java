package dev.sluice;

import dev.sluice.hook.Hook;
import dev.sluice.testkit.MockUpstream;
import jakarta.servlet.Filter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * One mock upstream per test class, and real Jettys running Sluice against it, each stopped (and
 * the mock's record forgotten) after its test.
 */
abstract class MockedJettyTest {
  static MockUpstream mock;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<EmbeddedJetty> started = new ArrayList<>();

  @BeforeAll
  static void startMock() {
    mock = MockUpstream.start();
  }

  @AfterAll
  static void stopMock() {
    mock.close();
  }

  @AfterEach
  void stopJetty() throws Exception {
    for (EmbeddedJetty j : started) {
      j.close();
    }
    started.clear();
    mock.reset();
  }

  /** POSTs {@code body} to {@code base}'s /v1/messages, with header name/value pairs. */
  HttpResponse<byte[]> post(URI base, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
        .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  EmbeddedJetty jetty(Hook... hooks) throws Exception {
    return jetty(SluiceConfig.builder().upstream(mock.baseUri()).build(), hooks);
  }

  EmbeddedJetty jetty(SluiceConfig config, Hook... hooks) throws Exception {
    return jetty(config, null, hooks);
  }

  /** With {@code before} (async-supported) in front of Sluice when not null. */
  EmbeddedJetty jetty(SluiceConfig config, Filter before, Hook... hooks) throws Exception {
    EmbeddedJetty j = EmbeddedJetty.start(new SluiceFilter(config, List.of(hooks)), before, true);
    started.add(j);
    return j;
  }
}
