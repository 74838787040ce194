package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.upstream.UpstreamTransport;
import dev.sluice.upstream.UpstreamTransportProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransportsTest {
  static final UpstreamTransportProvider.Settings SETTINGS =
      new UpstreamTransportProvider.Settings() {
        @Override
        public Duration connectTimeout() {
          return Duration.ofSeconds(1);
        }

        @Override
        public String get(String name) {
          return "";
        }
      };

  /** A loader like a web app's, whose services file names a provider that is not there. */
  static ClassLoader withServices(Path dir, String... providers) throws Exception {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(UpstreamTransportProvider.class.getName()),
        String.join("\n", providers) + "\n");
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, TransportsTest.class.getClassLoader());
  }

  @Test
  void providerThatFailsToLoad_isSkipped_othersFound(@TempDir Path dir) throws Exception {
    ClassLoader loader = withServices(dir, "dev.sluice.NoSuchTransportProvider");
    assertThat(Transports.discover(loader).keySet()).containsExactly("jdk", "jetty", "recording");
  }

  @Test
  void unknownName_listsWhatIsAvailable(@TempDir Path dir) throws Exception {
    ClassLoader loader = withServices(dir, "dev.sluice.NoSuchTransportProvider");
    assertThatThrownBy(() -> Transports.create("netty", loader, SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid Sluice setting 'transport': no transport named 'netty'; available: "
            + "jdk, jetty, recording (a transport jar registers a "
            + "dev.sluice.upstream.UpstreamTransportProvider)");
  }

  @Test
  void jdk_isBuiltIn_evenWithoutDiscovery() {
    ClassLoader empty = new URLClassLoader(new URL[0], null);
    try (UpstreamTransport t = Transports.create("jdk", empty, SETTINGS)) {
      assertThat(t.getClass().getName()).isEqualTo("dev.sluice.upstream.JdkHttpTransport");
    }
  }

  @Test
  void jetty_isBuiltIn_evenWithoutDiscovery() {
    ClassLoader empty = new URLClassLoader(new URL[0], null);
    try (UpstreamTransport t = Transports.create("jetty", empty, SETTINGS)) {
      assertThat(t.getClass().getName()).isEqualTo("dev.sluice.upstream.JettyTransport");
    }
  }
}
