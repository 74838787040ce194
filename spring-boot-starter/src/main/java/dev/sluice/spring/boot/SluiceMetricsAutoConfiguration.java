package dev.sluice.spring.boot;

import dev.sluice.hook.Hook;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * With {@code sluice-micrometer} on the class path and a {@link MeterRegistry} bean (actuator's
 * metrics): a {@code micrometer} Hook bean bound to that registry, so Sluice's meters appear
 * beside Boot's ({@code /actuator/metrics}, {@code /actuator/prometheus}). It replaces the
 * instance ServiceLoader makes (which would register in Micrometer's global registry), and is
 * enabled like every hook, by {@code sluice.hooks=micrometer}.
 *
 * <p>Written against the hook's class name, so the starter builds without it; it expects {@value
 * #HOOK} with a public constructor taking the {@link MeterRegistry}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(name = {SluiceMetricsAutoConfiguration.HOOK,
    "io.micrometer.core.instrument.MeterRegistry"})
@ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
public class SluiceMetricsAutoConfiguration implements BeanClassLoaderAware {
  static final String HOOK = "dev.sluice.micrometer.MicrometerHook";

  private ClassLoader loader;

  @Override
  public void setBeanClassLoader(ClassLoader classLoader) {
    this.loader = classLoader;
  }

  @Bean
  @ConditionalOnMissingBean(type = HOOK)
  Hook sluiceMicrometerHook(MeterRegistry registry) throws ReflectiveOperationException {
    return (Hook) ClassUtils.forName(HOOK, loader).getConstructor(MeterRegistry.class)
        .newInstance(registry);
  }
}
