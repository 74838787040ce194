package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.Soak.Diag;
import dev.sluice.bench.Soak.MockStats;
import dev.sluice.bench.Soak.Settled;
import dev.sluice.bench.SoakMix.Kind;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's mix and its verdict on what was left, without processes. */
class SoakTest {
  private static final Diag BASELINE = new Diag(12,
      Map.of("qtp1", 8, "sluice-timer", 1, "main", 1, "HttpClient-1-SelectorManager", 2),
      10L << 20, 1, 0);

  @Test
  void mix_hasExactlyThePercentOfFaults_inEveryHundred_rotatingTheKinds() {
    Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    for (int i = 0; i < 600; i++) {
      counts.merge(SoakMix.kindOf(i, 10), 1, Integer::sum);
      if (i % 100 == 99) {
        int faults = 0;
        for (int j = i - 99; j <= i; j++) {
          faults += SoakMix.kindOf(j, 10) == Kind.NORMAL ? 0 : 1;
        }
        assertThat(faults).as("faults in requests %d..%d", i - 99, i).isEqualTo(10);
      }
    }
    assertThat(counts.get(Kind.NORMAL)).isEqualTo(540);
    for (Kind fault : Kind.FAULTS) {
      assertThat(counts.get(fault)).as(fault.label).isEqualTo(10);
    }
  }

  @Test
  void mix_extremes() {
    for (int i = 0; i < 50; i++) {
      assertThat(SoakMix.kindOf(i, 0)).isEqualTo(Kind.NORMAL);
      assertThat(SoakMix.kindOf(i, 100)).isEqualTo(Kind.FAULTS.get(i % Kind.FAULTS.size()));
    }
  }

  @Test
  void leaks_noneWhenEverythingIsBack_poolsAndHeapSlackAllowed() {
    Diag after = new Diag(40, Map.of("qtp1", 34, "sluice-timer", 1, "main", 1,
        "HttpClient-1-SelectorManager", 2, "Attach Listener", 1), (10L << 20) + Soak.HEAP_SLACK,
        1, 0);
    assertThat(Soak.leaks(BASELINE, settled(after, 0), true)).isEmpty();
  }

  @Test
  void leaks_nameEachThingLeftBehind() {
    Diag after = new Diag(15, Map.of("qtp1", 8, "sluice-timer", 1, "main", 1,
        "HttpClient-1-SelectorManager", 2, "HttpClient-7-SelectorManager", 3),
        (10L << 20) + Soak.HEAP_SLACK + 1, 1, 2);
    assertThat(Soak.leaks(BASELINE, settled(after, 4), true)).containsExactly(
        "4 upstream responses still running at the mock",
        "2 exchanges still open in Sluice",
        "3 threads more than the baseline outside the worker pools "
            + "{HttpClient-7-SelectorManager=3}",
        "heap after GC 8.0 MiB above the baseline");
    assertThat(Soak.leaks(BASELINE, settled(after, 0), false)).hasSize(2);
  }

  @Test
  void leaks_aTargetWithoutSluiceIsNotACleanOne() {
    Diag after = new Diag(12, BASELINE.groups(), 10L << 20, 0, 0);
    assertThat(Soak.leaks(BASELINE, settled(after, 0), true)).singleElement().asString()
        .contains("no Sluice filter");
  }

  @Test
  void grew_onlyBeyondTheSlack() {
    Diag after = new Diag(12, BASELINE.groups(), BASELINE.heapBytes() + Soak.HEAP_SLACK, 1, 0);
    assertThat(Soak.grew(BASELINE, after)).isFalse();
    Diag more = new Diag(12, BASELINE.groups(), after.heapBytes() + 1, 1, 0);
    assertThat(Soak.grew(BASELINE, more)).isTrue();
  }

  private static Settled settled(Diag diag, int mockActive) {
    return new Settled(diag, new MockStats(mockActive, 0), 0);
  }
}
