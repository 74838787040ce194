package dev.sluice;

import dev.sluice.hook.Hook;
import dev.sluice.testkit.MockUpstream;
import jakarta.servlet.Filter;
import java.net.http.HttpClient;
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
