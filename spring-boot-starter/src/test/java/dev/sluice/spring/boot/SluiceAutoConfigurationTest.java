package dev.sluice.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceFilter;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookSettings;
import dev.sluice.hook.RequestContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.web.MockFilterConfig;
import org.springframework.mock.web.MockServletContext;

class SluiceAutoConfigurationTest {
  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class,
          SluiceHealthAutoConfiguration.class));

  /** A hook bean of the app that records whether Sluice enabled (configured) it. */
  static final class BeanHook implements Hook {
    private final String name;
    volatile String configuredWith;

    BeanHook(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void configure(HookSettings settings) {
      configuredWith = settings.get("bean-hook-option");
    }

    @Override
    public void onRequest(RequestContext request) {}
  }

  @Configuration(proxyBeanMethods = false)
  static class HookBeans {
    @Bean
    BeanHook enabledHook() {
      return new BeanHook("bean-hook");
    }

    @Bean
    BeanHook otherHook() {
      return new BeanHook("other-bean-hook");
    }
  }

  /** The README's own registration: mapped on /*, with the starter's properties and hooks. */
  @Configuration(proxyBeanMethods = false)
  static class OwnRegistration {
    @Bean
    FilterRegistrationBean<SluiceFilter> sluice(SluiceProperties properties,
        org.springframework.beans.factory.ObjectProvider<Hook> hooks,
        org.springframework.core.env.Environment environment) {
      FilterRegistrationBean<SluiceFilter> r = new FilterRegistrationBean<>(SluiceFilter.create(
          properties.toConfig(), hooks.orderedStream().toList(),
          name -> environment.getProperty("sluice." + name, "")));
      r.setOrder(Ordered.HIGHEST_PRECEDENCE);
      r.setAsyncSupported(true);
      r.addUrlPatterns("/*");
      return r;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnFilterBean {
    @Bean
    SluiceFilter mySluiceFilter() {
      return new SluiceFilter();
    }
  }

  @SuppressWarnings("unchecked")
  private static FilterRegistrationBean<SluiceFilter> registration(ApplicationContext context) {
    return context.getBean(SluiceAutoConfiguration.REGISTRATION, FilterRegistrationBean.class);
  }

  /** Starts the registered filter as the container would, and returns it. */
  private static SluiceFilter init(ApplicationContext context) throws ServletException {
    SluiceFilter filter = registration(context).getFilter();
    filter.init(new MockFilterConfig(new MockServletContext(), "sluice"));
    return filter;
  }

  @Test
  void registration_inFrontOfEverything_asyncOnTheMessagesPaths() {
    web.run(context -> {
      FilterRegistrationBean<SluiceFilter> r = registration(context);
      assertThat(r.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE);
      assertThat(r.isAsyncSupported()).isTrue();
      assertThat(r.getUrlPatterns()).containsExactly("/v1/messages", "/v1/messages/*");
      assertThat(r.getFilterName()).isEqualTo("sluice");
      assertThat(r.determineDispatcherTypes()).containsExactly(DispatcherType.REQUEST);
      assertThat(r.getFilter()).isInstanceOf(SluiceFilter.class);
    });
  }

  @Test
  void backsOff_whenTheAppRegistersSluiceItself() {
    web.withUserConfiguration(OwnRegistration.class, HookBeans.class)
        .withPropertyValues("sluice.hooks=bean-hook", "sluice.bean-hook-option=mine")
        .run(context -> {
          assertThat(context).doesNotHaveBean(SluiceAutoConfiguration.REGISTRATION);
          FilterRegistrationBean<?> own = context.getBean(FilterRegistrationBean.class);
          assertThat(own.getUrlPatterns()).containsExactly("/*");
          ((SluiceFilter) own.getFilter()).init(
              new MockFilterConfig(new MockServletContext(), "sluice"));
          assertThat(context.getBean("enabledHook", BeanHook.class).configuredWith)
              .isEqualTo("mine");
          ((SluiceFilter) own.getFilter()).destroy();
        });
    web.withUserConfiguration(OwnFilterBean.class).run(context ->
        assertThat(context).doesNotHaveBean(SluiceAutoConfiguration.REGISTRATION));
  }

  @Test
  void disabled_registersNothing() {
    web.withPropertyValues("sluice.enabled=false").run(context -> {
      assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
      assertThat(context).doesNotHaveBean(SluiceProperties.class);
      assertThat(context).doesNotHaveBean("sluiceHealthIndicator");
    });
  }

  @Test
  void notAServletWebApp_registersNothing() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class))
        .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
  }

  @Test
  void properties_becomeTheFiltersConfig() {
    web.withPropertyValues("sluice.upstream=http://127.0.0.1:9/", "sluice.idle-timeout=30s",
        "sluice.headers-timeout=500", "sluice.max-request-bytes=64KB",
        "sluice.keepalive-interval=0", "sluice.hooks=usage-log, model-alias",
        "sluice.api-key=sk-server", "sluice.max-follow-ups=1").run(context -> {
          var config = context.getBean(SluiceProperties.class).toConfig();
          assertThat(config.upstream()).hasToString("http://127.0.0.1:9");
          assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
          assertThat(config.headersTimeout()).isEqualTo(Duration.ofMillis(500));
          assertThat(config.maxRequestBytes()).isEqualTo(64 * 1024);
          assertThat(config.keepaliveInterval()).isZero();
          assertThat(config.hooks()).containsExactly("usage-log", "model-alias");
          assertThat(config.apiKey()).isEqualTo("sk-server");
          assertThat(config.maxFollowUps()).isEqualTo(1);
          assertThat(init(context).config().toString()).contains("api-key=(set, redacted)");
        });
  }

  @Test
  void defaults_areSluicesOwn() {
    web.run(context -> assertThat(context.getBean(SluiceProperties.class).toConfig())
        .hasToString(dev.sluice.SluiceConfig.builder().build().toString()));
  }

  /**
   * The environment's relaxed names ({@code SLUICE_IDLE_TIMEOUT}) bind, and a source Boot ranks
   * higher (here a command-line argument) wins over both it and a system property: Sluice's own
   * "system property first" lookup is not used in a Boot app.
   */
  @Test
  void bootsPrecedence_environmentVariablesBind_andBootsOrderWins() {
    web.withInitializer(context -> {
      var sources = context.getEnvironment().getPropertySources();
      sources.addLast(new SystemEnvironmentPropertySource("systemEnvironment",
          Map.of("SLUICE_IDLE_TIMEOUT", "7s", "SLUICE_HEADERS_TIMEOUT", "8s",
              "SLUICE_MODEL_ALIASES", "fast=from-env")));
      sources.addLast(new MapPropertySource("Config resource 'application.yml'",
          Map.of("sluice.idle-timeout", "1s", "sluice.headers-timeout", "1s",
              "sluice.connect-timeout", "2s", "sluice.hooks", "model-alias")));
      sources.addFirst(new MapPropertySource("commandLineArgs",
          Map.of("sluice.headers-timeout", "9s")));
    }).run(context -> {
      var config = context.getBean(SluiceProperties.class).toConfig();
      assertThat(config.connectTimeout()).as("application.yml").isEqualTo(Duration.ofSeconds(2));
      assertThat(config.idleTimeout()).as("environment over yml").isEqualTo(Duration.ofSeconds(7));
      assertThat(config.headersTimeout()).as("command line over environment")
          .isEqualTo(Duration.ofSeconds(9));
      assertThat(context.getEnvironment().getProperty("sluice.model-aliases"))
          .isEqualTo("fast=from-env");
    });
  }

  /** A hook's own setting comes from Boot's environment, not from Sluice's sysprop lookup. */
  @Test
  void hookSettings_comeFromBootsEnvironment() {
    System.setProperty("sluice.model-aliases", "no-equals-sign");
    try {
      web.withPropertyValues("sluice.hooks=model-alias", "sluice.model-aliases=fast=claude-haiku-4-5")
          .withInitializer(context -> context.getEnvironment().getPropertySources()
              .addFirst(new MapPropertySource("commandLineArgs",
                  Map.of("sluice.model-aliases", "fast=claude-haiku-4-5"))))
          .run(context -> init(context).destroy());
      web.withPropertyValues("sluice.hooks=model-alias", "sluice.model-aliases=no-equals-sign")
          .run(context -> assertThatThrownBy(() -> init(context))
              .isInstanceOf(ServletException.class).hasMessageContaining("'model-aliases'"));
    } finally {
      System.clearProperty("sluice.model-aliases");
    }
  }

  @Test
  void hookBeans_enabledByName_underTheAllowList() {
    web.withUserConfiguration(HookBeans.class)
        .withPropertyValues("sluice.hooks=bean-hook,usage-log", "sluice.bean-hook-option=on")
        .run(context -> {
          SluiceFilter filter = init(context);
          assertThat(context.getBean("enabledHook", BeanHook.class).configuredWith)
              .isEqualTo("on");
          assertThat(context.getBean("otherHook", BeanHook.class).configuredWith)
              .as("a bean not named in sluice.hooks stays off").isNull();
          filter.destroy();
        });
  }

  @Test
  void hookBeans_noneEnabledWithoutTheHooksSetting() {
    web.withUserConfiguration(HookBeans.class).run(context -> {
      init(context).destroy();
      assertThat(context.getBean("enabledHook", BeanHook.class).configuredWith).isNull();
    });
  }

  @Test
  void hookBeans_starEnablesThemAll() {
    web.withUserConfiguration(HookBeans.class).withPropertyValues("sluice.hooks=*")
        .run(context -> {
          init(context).destroy();
          assertThat(context.getBean("enabledHook", BeanHook.class).configuredWith).isEqualTo("");
          assertThat(context.getBean("otherHook", BeanHook.class).configuredWith).isEqualTo("");
        });
  }

  /** Before the web server starts, whose own report of a filter's failure may hide the cause. */
  @Test
  void unknownHookName_failsTheContext_listingBeansAndDiscoveredHooks() {
    web.withUserConfiguration(HookBeans.class).withPropertyValues("sluice.hooks=typo")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(messages(context.getStartupFailure()))
              .contains("Invalid Sluice setting 'hooks': no hook named 'typo'")
              .contains("bean-hook").contains("usage-log");
        });
  }

  @Test
  void badValue_failsStartNamingTheProperty() {
    assertStartFails("sluice.idle-timeout=soon", "sluice.idle-timeout");
    assertStartFails("sluice.idle-timeout=-1s", "sluice.idle-timeout");
    assertStartFails("sluice.upstream=ftp://example.com", "sluice.upstream");
    assertStartFails("sluice.max-follow-ups=1000", "sluice.max-follow-ups");
    assertStartFails("sluice.max-request-bytes=lots", "sluice.max-request-bytes");
    assertStartFails("sluice.transport=jdk jetty", "sluice.transport");
    assertStartFails("sluice.health.timeout=0s", "sluice.health.timeout");
  }

  /** As in Sluice's own reading, a blank value is unset: the upstream stays Anthropic's API. */
  @Test
  void blankUpstream_isUnset() {
    web.withPropertyValues("sluice.upstream=").run(context -> assertThat(
        context.getBean(SluiceProperties.class).toConfig().upstream())
        .isEqualTo(dev.sluice.SluiceConfig.DEFAULT_UPSTREAM));
  }

  @Test
  void badApiKey_failsStartNamingThePropertyButNeverTheValue() {
    web.withPropertyValues("sluice.api-key=sk-secret\nX-Injected: 1").run(context -> {
      assertThat(context).hasFailed();
      assertThat(messages(context.getStartupFailure())).contains("sluice.api-key")
          .doesNotContain("sk-secret");
    });
  }

  private void assertStartFails(String property, String name) {
    web.withPropertyValues(property).run(context -> {
      assertThat(context).hasFailed();
      Throwable failure = context.getStartupFailure();
      assertThat(messages(failure)).as(property).contains(name);
      assertThat(hasCause(failure, BindException.class)).as(property).isTrue();
    });
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getMessage()).append('\n');
    }
    return b.toString();
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void healthIndicator_presentWithActuatorsHealth() {
    web.run(context -> assertThat(context).hasBean("sluiceHealthIndicator"));
  }

  @Test
  void healthIndicator_absentWithoutActuator() {
    web.withClassLoader(new FilteredClassLoader(
        org.springframework.boot.health.contributor.HealthIndicator.class))
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean("sluiceHealthIndicator");
          assertThat(context).hasBean(SluiceAutoConfiguration.REGISTRATION);
        });
  }

  @Test
  void healthIndicator_switchedOffLikeBootsOwn() {
    web.withPropertyValues("management.health.sluice.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("sluiceHealthIndicator"));
  }
}
