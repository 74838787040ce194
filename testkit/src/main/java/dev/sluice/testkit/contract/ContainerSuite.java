package dev.sluice.testkit.contract;

import dev.sluice.testkit.MockUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What every contract suite shares: a mock upstream, the container under test relaying to it
 * (started once per class by the subclass's {@link #start}), further containers with other
 * settings on demand, and an HTTP/1.1 client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerSuite {
  protected MockUpstream mock;
  protected ContainerUnderTest app;
  private final Map<String, ContainerUnderTest> extra = new HashMap<>();
  protected final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Starts the container with Sluice relaying to {@code upstream}, with {@code settings} as Sluice
   * settings (names as in the README's configuration table).
   *
   * @throws IllegalStateException when the container or the web app fails to start (an invalid
   *     setting, an unknown hook)
   */
  protected abstract ContainerUnderTest start(URI upstream, Map<String, String> settings)
      throws Exception;

  /** The settings every container of this suite starts with, unless a test says otherwise. */
  Map<String, String> defaultSettings() {
    return Map.of();
  }

  @BeforeAll
  void startAll() throws Exception {
    mock = MockUpstream.start();
    app = start(mock.baseUri(), defaultSettings());
  }

  @AfterAll
  void stopAll() {
    extra.values().forEach(ContainerUnderTest::close);
    if (app != null) {
      app.close();
    }
    if (mock != null) {
      mock.close();
    }
  }

  @BeforeEach
  void forgetRequests() {
    mock.reset();
  }

  /** A further container with other settings, started once per class and stopped with it. */
  protected ContainerUnderTest container(String name, URI upstream, Map<String, String> settings) {
    return container(name, () -> {
      Map<String, String> all = new LinkedHashMap<>(defaultSettings());
      all.putAll(settings);
      return start(upstream, all);
    });
  }

  /** A further container that {@code starter} starts, once per class, stopped with it. */
  protected ContainerUnderTest container(String name,
      java.util.concurrent.Callable<ContainerUnderTest> starter) {
    return extra.computeIfAbsent(name, n -> {
      try {
        return starter.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
