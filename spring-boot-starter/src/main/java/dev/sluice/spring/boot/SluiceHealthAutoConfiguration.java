package dev.sluice.spring.boot;

import dev.sluice.SluiceFilter;
import dev.sluice.failover.UpstreamStatus;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * With actuator's health support on the class path: the {@code sluice} health indicator (each
 * upstream entry reachable, and cooling down or not), unless {@code
 * management.health.sluice.enabled=false}. The cool-downs are those of the context's Sluice
 * filter: the starter's registration, or the app's own {@link SluiceFilter} bean or registration.
 */
@AutoConfiguration(after = SluiceAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(SluiceProperties.class)
@ConditionalOnEnabledHealthIndicator("sluice")
public class SluiceHealthAutoConfiguration {
  @Bean
  HealthIndicator sluiceHealthIndicator(SluiceProperties properties,
      ObjectProvider<FilterRegistrationBean<?>> registrations,
      ObjectProvider<SluiceFilter> filters) {
    return new UpstreamHealthIndicator(properties.toConfig().upstreams(), properties.getHealth(),
        () -> filter(registrations, filters));
  }

  /** The first Sluice filter's status; empty when there is none (yet). */
  private static List<UpstreamStatus> filter(ObjectProvider<FilterRegistrationBean<?>> registrations,
      ObjectProvider<SluiceFilter> filters) {
    return registrations.orderedStream().map(FilterRegistrationBean::getFilter)
        .filter(SluiceFilter.class::isInstance).map(SluiceFilter.class::cast).findFirst()
        .or(() -> filters.orderedStream().findFirst())
        .map(SluiceFilter::upstreamStatus).orElse(List.of());
  }
}
