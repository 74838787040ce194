package dev.sluice.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.upstream.UpstreamRequest;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PlanTest {
  private final AtomicLong now = new AtomicLong(1_000_000);

  private Plan plan(List<UpstreamEntry> entries, List<String> keys) {
    return new Plan(entries.get(0).uri(), entries, keys, RetryPolicy.DEFAULT,
        new MemoryHealth(Plan.keyCounts(entries, keys)), now::get);
  }

  private static UpstreamEntry entry(String uri, int priority, int weight) {
    return new UpstreamEntry(URI.create(uri), priority, weight, List.of());
  }

  @Test
  void firstPriorityFirst_thenTheNextUntried() {
    Plan p = plan(List.of(entry("http://a", 0, 1), entry("http://b", 1, 1)), List.of());
    Set<Long> tried = new HashSet<>();
    Plan.Choice first = p.choose(tried, now.get());
    assertThat(first.entry()).isZero();
    tried.add(Plan.pair(0, 0));
    assertThat(p.choose(tried, now.get()).entry()).isEqualTo(1);
    assertThat(p.choose(tried, now.get()).fresh()).isTrue();
  }

  @Test
  void coolingEntry_isSkipped_andReopensByItself() {
    Plan p = plan(List.of(entry("http://a", 0, 1), entry("http://b", 1, 1)), List.of());
    p.health.coolDown(0, -1, now.get() + 1000);
    assertThat(p.choose(Set.of(), now.get()).entry()).isEqualTo(1);
    now.addAndGet(1000);
    assertThat(p.choose(Set.of(), now.get()).entry()).isZero();
  }

  @Test
  void status_showsEntryAndKeyCoolDowns_untilTheyOpen_neverAKey() {
    UpstreamEntry pooled = new UpstreamEntry(URI.create("http://b:8080"), 1, 2,
        List.of("sk-one", "sk-two", "sk-three"));
    Plan p = plan(List.of(entry("http://a", 0, 1), pooled), List.of());
    p.health.coolDown(0, -1, now.get() + 1000); // a 529
    p.health.coolDown(1, 2, now.get() + 3000); // a 429 on the third key
    List<UpstreamStatus> s = p.status();
    assertThat(s).hasSize(2);
    assertThat(s.get(0).host()).isEqualTo("a");
    assertThat(s.get(0).keys()).isZero();
    assertThat(s.get(0).coolingDownUntil())
        .contains(java.time.Instant.ofEpochMilli(now.get() + 1000));
    assertThat(s.get(1).host()).isEqualTo("b:8080");
    assertThat(s.get(1).coolingDown()).isFalse();
    assertThat(s.get(1).keys()).isEqualTo(3);
    assertThat(s.get(1).keysCoolingDown()).isEqualTo(1);
    assertThat(s.get(1).keysCoolingDownUntil())
        .contains(java.time.Instant.ofEpochMilli(now.get() + 3000));
    assertThat(s.toString()).doesNotContain("sk-");

    now.addAndGet(1000);
    assertThat(p.status().get(0).coolingDown()).isFalse();
    now.addAndGet(2000);
    assertThat(p.status().get(1).keysCoolingDown()).isZero();
    assertThat(p.status().get(1).keysCoolingDownUntil()).isEmpty();
  }

  @Test
  void everythingCooling_theOneThatOpensFirst() {
    Plan p = plan(List.of(entry("http://a", 0, 1), entry("http://b", 1, 1)), List.of());
    p.health.coolDown(0, -1, now.get() + 5000);
    p.health.coolDown(1, -1, now.get() + 2000);
    Plan.Choice c = p.choose(Set.of(), now.get());
    assertThat(c.entry()).isEqualTo(1);
    assertThat(c.openAt()).isEqualTo(now.get() + 2000);
  }

  @Test
  void equalPriorities_shareByWeight() {
    Plan p = plan(List.of(entry("http://a", 0, 1), entry("http://b", 0, 3)), List.of());
    int a = 0;
    for (int i = 0; i < 4000; i++) {
      if (p.choose(Set.of(), now.get()).entry() == 0) {
        a++;
      }
    }
    assertThat(a).isBetween(700, 1300); // expected 1000 (a quarter); sd about 27
  }

  @Test
  void keys_takeTurns_andACoolingKeyIsSkipped() {
    Plan p = plan(List.of(entry("http://a", 0, 1)), List.of("k1", "k2", "k3"));
    assertThat(p.choose(Set.of(), now.get()).key()).isZero();
    assertThat(p.choose(Set.of(), now.get()).key()).isEqualTo(1);
    assertThat(p.choose(Set.of(), now.get()).key()).isEqualTo(2);
    assertThat(p.choose(Set.of(), now.get()).key()).isZero();
    p.health.coolDown(0, 1, now.get() + 1000);
    assertThat(p.choose(Set.of(), now.get()).key()).isEqualTo(2);
    assertThat(p.choose(Set.of(), now.get()).key()).isZero();
    assertThat(p.choose(Set.of(), now.get()).key()).isEqualTo(2);
  }

  @Test
  void keyIds_areNumbers_neverKeys() {
    Plan p = plan(List.of(entry("http://a", 0, 1), entry("http://b", 1, 1)), List.of());
    assertThat(p.keyId(0, 0)).isEqualTo("client");
    Plan pooled = plan(List.of(entry("http://a", 0, 1)), List.of("sk-secret-1", "sk-secret-2"));
    assertThat(pooled.keyId(0, 1)).isEqualTo("2");
  }

  @Test
  void request_movesToTheEntry_withItsKeyInsteadOfAnyOther() {
    UpstreamEntry b = new UpstreamEntry(URI.create("http://b:81/base"), 1, 1, List.of("kb"));
    Plan p = plan(List.of(entry("http://a", 0, 1), b), List.of("ka"));
    UpstreamRequest r = new UpstreamRequest(URI.create("http://a/v1/messages?beta=true"),
        List.of(Map.entry("anthropic-version", "2023-06-01"), Map.entry("x-api-key", "ka"),
            Map.entry("Authorization", "Bearer client")), new byte[] {1, 2}, 2);
    UpstreamRequest toB = p.request(r, 1, 0);
    assertThat(toB.uri()).isEqualTo(URI.create("http://b:81/base/v1/messages?beta=true"));
    assertThat(toB.headers()).containsExactly(Map.entry("anthropic-version", "2023-06-01"),
        Map.entry("x-api-key", "kb"));
    assertThat(toB.body()).isSameAs(r.body());
  }

  @Test
  void clientsOwnCredentials_passWhenNoKeyIsConfigured() {
    Plan p = plan(List.of(entry("http://a", 0, 1), entry("http://b", 1, 1)), List.of());
    UpstreamRequest r = new UpstreamRequest(URI.create("http://a/v1/messages"),
        List.of(Map.entry("x-api-key", "client-key")), new byte[0], 0);
    assertThat(p.request(r, 1, 0).headers()).containsExactly(Map.entry("x-api-key", "client-key"));
  }

  @Test
  void entryToString_countsKeys_neverShowsThem() {
    UpstreamEntry e = new UpstreamEntry(URI.create("https://a.example:8443"), 0, 2,
        List.of("sk-ant-secret", "sk-ant-other"));
    assertThat(e.toString()).isEqualTo("a.example:8443 (priority 0, weight 2, 2 keys)")
        .doesNotContain("secret");
  }
}
