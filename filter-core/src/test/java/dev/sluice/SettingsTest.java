package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SettingsTest {
  @AfterEach
  void clearProperties() {
    System.clearProperty("sluice.idle-timeout");
    System.clearProperty("sluice.upstream");
  }

  private static Settings.Source map(String name, Map<String, String> values) {
    return Settings.named(s -> name + " " + s, values::get);
  }

  @Test
  void defaults_whenNothingIsSet() {
    SluiceConfig c = new Settings(List.of()).read();
    assertThat(c.upstream()).isEqualTo(URI.create("https://api.anthropic.com"));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.headersTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.maxRequestBytes()).isEqualTo(32L * 1024 * 1024);
    assertThat(c.apiKey()).isEmpty();
    assertThat(c.hooks()).isEmpty();
    assertThat(c.transport()).isEqualTo("jetty");
    assertThat(c.maxFollowUps()).isEqualTo(3);
    assertThat(c.keepaliveInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.pricingFile()).isEmpty();
    assertThat(c.legacyPipeline()).isFalse();
  }

  @Test
  void transport_readByName_oneNameOnly() {
    SluiceConfig c = new Settings(List.of(map("init-param", Map.of("transport", " jetty "))))
        .read();
    assertThat(c.transport()).isEqualTo("jetty");
    assertThat(c.toString()).contains("transport=jetty");
    assertThatThrownBy(() -> new Settings(List.of(map("init-param",
        Map.of("transport", "jdk,jetty")))).read())
        .hasMessageContaining("'transport'").hasMessageContaining("one transport name");
  }

  @Test
  void systemProperty_overridesEnvironment_overridesInitParam() {
    Map<String, String> env = Map.of("SLUICE_IDLE_TIMEOUT", "2m", "SLUICE_UPSTREAM",
        "http://127.0.0.1:9/env");
    Map<String, String> init = Map.of("idle-timeout", "3m", "upstream", "http://127.0.0.1:9/init",
        "max-request-bytes", "1MiB");
    System.setProperty("sluice.idle-timeout", "90s");
    SluiceConfig c = new Settings(List.of(Settings.systemProperties(),
        Settings.environment(env), map("init-param", init))).read();
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.upstream()).isEqualTo(URI.create("http://127.0.0.1:9/env"));
    assertThat(c.maxRequestBytes()).isEqualTo(1024 * 1024);
  }

  @Test
  void invalidValue_failsNamingTheSettingAndItsSource() {
    Settings s = new Settings(List.of(Settings.environment(Map.of("SLUICE_IDLE_TIMEOUT", "5x"))));
    assertThatThrownBy(s::read).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'idle-timeout'")
        .hasMessageContaining("environment variable SLUICE_IDLE_TIMEOUT")
        .hasMessageContaining("'5x'");
  }

  @Test
  void invalidUpstream_fails() {
    Settings s = new Settings(List.of(map("init-param", Map.of("upstream", "ftp://x"))));
    assertThatThrownBy(s::read).hasMessageContaining("'upstream'");
  }

  @Test
  void apiKey_neverShownInErrorsOrSummary() {
    SluiceConfig c = new Settings(List.of(map("p", Map.of("api-key", "sk-ant-secret",
        "hooks", " usage-log , cost-in-usage,,")))).read();
    assertThat(c.apiKey()).isEqualTo("sk-ant-secret");
    assertThat(c.hooks()).containsExactly("usage-log", "cost-in-usage");
    assertThat(c.toString()).doesNotContain("sk-ant-secret").contains("api-key=(set, redacted)");
  }

  @Test
  void upstreamTrailingSlash_ignored() {
    SluiceConfig c = new Settings(List.of(map("p", Map.of("upstream", "http://h:1/base/"))))
        .read();
    assertThat(c.upstream()).isEqualTo(URI.create("http://h:1/base"));
  }

  @Test
  void durations_andSizes_parse() {
    assertThat(Settings.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Settings.parseDuration("250")).isEqualTo(Duration.ofMillis(250));
    assertThat(Settings.parseDuration("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Settings.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Settings.parseDuration("PT20M")).isEqualTo(Duration.ofMinutes(20));
    assertThat(Settings.parseSize("512KiB")).isEqualTo(512 * 1024);
    assertThat(Settings.parseSize("32m")).isEqualTo(32 * 1024 * 1024);
    assertThatThrownBy(() -> Settings.parseSize("lots")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Settings.format(Duration.ofSeconds(90))).isEqualTo("90s");
  }

  @Test
  void zeroTimeout_rejected() {
    Settings s = new Settings(List.of(map("p", Map.of("headers-timeout", "0s"))));
    assertThatThrownBy(s::read).hasMessageContaining("'headers-timeout'")
        .hasMessageContaining("positive");
  }
}
