package dev.sluice.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.Hook;
import dev.sluice.micrometer.MicrometerHook;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

class SluiceMetricsAutoConfigurationTest {
  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class,
          SluiceMetricsAutoConfiguration.class));

  @Test
  void micrometerHook_boundToBootsRegistry() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    web.withBean(MeterRegistry.class, () -> registry).run(context -> {
      MicrometerHook hook = context.getBean(MicrometerHook.class);
      assertThat(hook.registry()).isSameAs(registry);
      assertThat(hook.name()).isEqualTo("micrometer");
      assertThat(context.getBeansOfType(Hook.class)).containsValue(hook);
    });
  }

  @Test
  void noRegistry_noBinding() {
    web.run(context -> assertThat(context).doesNotHaveBean(MicrometerHook.class));
  }

  @Test
  void withoutSluiceMicrometer_noBinding() {
    web.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withClassLoader(new FilteredClassLoader(MicrometerHook.class))
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean("sluiceMicrometerHook"));
  }

  @Test
  void appsOwnMicrometerHook_wins() {
    MicrometerHook own = new MicrometerHook(new SimpleMeterRegistry());
    web.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(MicrometerHook.class, () -> own)
        .run(context -> assertThat(context.getBean(MicrometerHook.class)).isSameAs(own));
  }
}
