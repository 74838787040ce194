package dev.sluice.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The model bound, status classes and the shared in-flight gauge, without a server. */
class MetersTest {
  @Test
  void distinctModelsAreBounded() {
    ModelTags tags = new ModelTags();
    for (int i = 0; i < ModelTags.MAX; i++) {
      assertThat(tags.tag("model-" + i)).isEqualTo("model-" + i);
    }
    assertThat(tags.tag("one-too-many")).isEqualTo("other");
    assertThat(tags.tag("model-7")).isEqualTo("model-7");
    assertThat(tags.tag("")).isEqualTo("none");
  }

  @Test
  void overlongNameIsOther() {
    assertThat(new ModelTags().tag("m".repeat(129))).isEqualTo("other");
  }

  @Test
  void hooksOfOneRegistryShareTheInFlightGauge() {
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    MicrometerHook first = new MicrometerHook(registry);
    MicrometerHook second = new MicrometerHook(registry);
    first.onArrival(new java.util.HashMap<>());
    second.onArrival(new java.util.HashMap<>());
    assertThat(registry.get("sluice.exchanges.active").gauge().value()).isEqualTo(2);
  }

  @Test
  void statusClasses() {
    assertThat(MicrometerHook.Meters.statusClass(200)).isEqualTo("2xx");
    assertThat(MicrometerHook.Meters.statusClass(529)).isEqualTo("5xx");
    assertThat(MicrometerHook.Meters.statusClass(0)).isEqualTo("none");
  }
}
