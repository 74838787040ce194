package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.failover.Failover;
import dev.sluice.failover.UpstreamEntry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failover settings: the upstream list, key pools and the retry policy. */
class FailoverSettingsTest {
  @TempDir
  Path dir;

  private static SluiceConfig read(Map<String, String> values) {
    return new Settings(List.of(Settings.named(s -> "init-param " + s, values::get))).read();
  }

  @Test
  void oneUpstream_oneKey_actsNot() {
    SluiceConfig c = read(Map.of("upstream", "https://a.example/", "api-key", "sk-one"));
    assertThat(c.upstreams()).containsExactly(UpstreamEntry.of(URI.create("https://a.example")));
    assertThat(c.apiKeys()).containsExactly("sk-one");
    assertThat(Failover.acts(c.upstreams(), c.apiKeys(), c.retry())).isFalse();
    assertThat(c.toString()).startsWith("upstream=https://a.example,").doesNotContain("sk-one")
        .doesNotContain("max-attempts");
  }

  @Test
  void upstreamList_inPriorityOrder_withWeightsAndKeySources() throws Exception {
    Path keys = dir.resolve("b.keys");
    Files.writeString(keys, "# pool of b\nsk-b-1\n\nsk-b-2\n");
    SluiceConfig c = read(Map.of("upstream", "https://a.example;weight=3, "
        + "https://b.example:8443;priority=0;api-key=file:" + keys + ",http://c.example/base/"));
    assertThat(c.upstream()).isEqualTo(URI.create("https://a.example"));
    assertThat(c.upstreams()).containsExactly(
        new UpstreamEntry(URI.create("https://a.example"), 0, 3, List.of()),
        new UpstreamEntry(URI.create("https://b.example:8443"), 0, 1, List.of("sk-b-1", "sk-b-2")),
        new UpstreamEntry(URI.create("http://c.example/base"), 2, 1, List.of()));
    assertThat(Failover.acts(c.upstreams(), c.apiKeys(), c.retry())).isTrue();
    assertThat(c.toString())
        .contains("upstream=a.example (priority 0, weight 3, client's key), "
            + "b.example:8443 (priority 0, weight 1, 2 keys), c.example (priority 2")
        .contains("max-attempts=auto").doesNotContain("sk-b");
  }

  @Test
  void apiKeyPool_fromTheSettingOrAFile() throws Exception {
    assertThat(read(Map.of("api-key", "sk-1, sk-2,sk-3")).apiKeys())
        .containsExactly("sk-1", "sk-2", "sk-3");
    Path file = dir.resolve("keys");
    Files.writeString(file, "sk-f1\r\nsk-f2\n"); // CRLF line ends too
    SluiceConfig c = read(Map.of("api-key", "file:" + file));
    assertThat(c.apiKeys()).containsExactly("sk-f1", "sk-f2");
    assertThat(c.apiKey()).isEqualTo("sk-f1");
    assertThat(Failover.acts(c.upstreams(), c.apiKeys(), c.retry())).as("a key pool").isTrue();
    assertThat(c.toString()).contains("api-key=(2 keys, redacted)").doesNotContain("sk-f");
  }

  @Test
  void keysInTheUpstreamSetting_refused_andNeverEchoed() {
    assertThatThrownBy(() -> read(Map.of("upstream", "https://a.example;api-key=sk-secret")))
        .hasMessageContaining("api-key must be env:NAME or file:PATH")
        .hasMessageNotContaining("sk-secret");
    assertThatThrownBy(() -> read(Map.of("upstream",
        "https://a.example;api-key=env:SLUICE_TEST_SURELY_UNSET_VARIABLE")))
        .hasMessageContaining("is not set");
    assertThatThrownBy(() -> read(Map.of("upstream", "https://a.example;wieght=2")))
        .hasMessageContaining("unknown parameter 'wieght'");
  }

  @Test
  void retrySettings() {
    SluiceConfig c = read(Map.of("max-attempts", "4", "retry-budget", "5s",
        "retry-statuses", "429, 529", "retry-gate", "off", "retry-backoff", "100ms",
        "retry-backoff-max", "2s", "cooldown-max", "10s", "retry-gate-bytes", "8KiB"));
    assertThat(c.retry().maxAttempts()).isEqualTo(4);
    assertThat(c.retry().budget()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.retry().statuses()).isEqualTo(Set.of(429, 529));
    assertThat(c.retry().gate()).isZero();
    assertThat(c.retry().backoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.retry().backoffMax()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.retry().cooldownMax()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.retry().gateBytes()).isEqualTo(8192);
    assertThat(Failover.acts(c.upstreams(), c.apiKeys(), c.retry()))
        .as("retries asked for on one upstream").isTrue();
  }

  @Test
  void toBuilder_keepsTheFailoverSettings() {
    SluiceConfig c = read(Map.of("upstream", "https://a.example,https://b.example",
        "api-key", "sk-1,sk-2", "max-attempts", "2"));
    SluiceConfig copy = c.toBuilder().build();
    assertThat(copy.upstreams()).isEqualTo(c.upstreams());
    assertThat(copy.apiKeys()).isEqualTo(c.apiKeys());
    assertThat(copy.retry()).isEqualTo(c.retry());
  }
}
