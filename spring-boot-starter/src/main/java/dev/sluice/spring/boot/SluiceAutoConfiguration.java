package dev.sluice.spring.boot;

import dev.sluice.SluiceFilter;
import dev.sluice.hook.Hook;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Registers {@link SluiceFilter} in a servlet web application (Boot's embedded Tomcat or Jetty)
 * in front of everything else: a {@link FilterRegistrationBean} at highest precedence, async
 * supported, on {@code /v1/messages} and {@code /v1/messages/*}. It backs off when the app
 * declares its own {@code SluiceFilter} bean or registration, and {@code sluice.enabled=false}
 * switches it off.
 *
 * <p>The filter's hooks are the context's {@link Hook} beans and those {@link
 * java.util.ServiceLoader} finds, enabled by {@code sluice.hooks} as in a {@code web.xml}
 * deployment; hooks read their own settings ({@code sluice.model-aliases}...) from Boot's
 * environment, so Boot's precedence is the only one.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(FilterRegistrationBean.class)
@ConditionalOnBooleanProperty(name = "sluice.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SluiceProperties.class)
public class SluiceAutoConfiguration {
  /** The registration's bean and filter name. */
  public static final String REGISTRATION = "sluiceFilterRegistration";

  private static final Logger LOG = LoggerFactory.getLogger(SluiceAutoConfiguration.class);

  @Bean(REGISTRATION)
  @ConditionalOnMissingFilterBean(SluiceFilter.class)
  FilterRegistrationBean<SluiceFilter> sluiceFilterRegistration(SluiceProperties properties,
      ObjectProvider<Hook> hookBeans, Environment environment) {
    List<Hook> hooks = hookBeans.orderedStream().toList();
    List<String> enabled = properties.getHooks();
    List<String> idle = hooks.stream().map(Hook::name)
        .filter(name -> !enabled.contains(name) && !enabled.contains("*")).toList();
    if (!idle.isEmpty()) {
      LOG.info("Sluice: Hook beans not enabled (name them in sluice.hooks): {}", idle);
    }
    SluiceFilter filter = SluiceFilter.create(properties.toConfig(), hooks,
        name -> environment.getProperty("sluice." + name, ""));
    FilterRegistrationBean<SluiceFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("sluice");
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    registration.setAsyncSupported(true);
    registration.addUrlPatterns("/v1/messages", "/v1/messages/*");
    return registration;
  }
}
