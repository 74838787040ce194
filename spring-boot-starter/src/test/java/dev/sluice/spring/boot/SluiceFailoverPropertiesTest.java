package dev.sluice.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceConfig;
import dev.sluice.SluiceFilter;
import dev.sluice.failover.UpstreamEntry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockFilterConfig;
import org.springframework.mock.web.MockServletContext;

/** The failover settings as {@code sluice.*} properties: upstream list, key pool, retries. */
class SluiceFailoverPropertiesTest {
  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class));

  private static SluiceConfig config(
      org.springframework.context.ApplicationContext context) {
    return context.getBean(SluiceProperties.class).toConfig();
  }

  @Test
  void upstreamList_inOneString_buildsOneEntryEach() {
    web.withPropertyValues("sluice.upstream=http://127.0.0.1:9;weight=3, http://127.0.0.1:10")
        .run(context -> {
          assertThat(context).hasNotFailed();
          var entries = config(context).upstreams();
          assertThat(entries).extracting(UpstreamEntry::host)
              .containsExactly("127.0.0.1:9", "127.0.0.1:10");
          assertThat(entries).extracting(UpstreamEntry::priority).containsExactly(0, 1);
          assertThat(entries.get(0).weight()).isEqualTo(3);
        });
  }

  /** YAML's list form ({@code upstream: [- ..., - ...]}) binds as indexed properties. */
  @Test
  void upstreamList_asAYamlList_buildsOneEntryEach_andTheFilterTracksBoth() {
    web.withPropertyValues("sluice.upstream[0]=http://127.0.0.1:9;priority=5",
        "sluice.upstream[1]=http://127.0.0.1:10;priority=1").run(context -> {
          assertThat(context).hasNotFailed();
          var entries = config(context).upstreams();
          assertThat(entries).hasSize(2);
          assertThat(entries).extracting(UpstreamEntry::priority).containsExactly(5, 1);
          @SuppressWarnings("unchecked")
          SluiceFilter filter = context.getBean(SluiceAutoConfiguration.REGISTRATION,
              FilterRegistrationBean.class).getFilter() instanceof SluiceFilter f ? f : null;
          filter.init(new MockFilterConfig(new MockServletContext(), "sluice"));
          try {
            assertThat(filter.upstreamStatus()).hasSize(2)
                .allSatisfy(s -> assertThat(s.coolingDown()).isFalse());
          } finally {
            filter.destroy();
          }
        });
  }

  /** The README's application.yml, with a key file and variable this test has. */
  @Test
  void readmesYaml_bindsTheListThePoolAndTheRetrySettings(@TempDir Path dir) throws Exception {
    Path keys = Files.writeString(dir.resolve("b-keys"), "sk-b1\nsk-b2\n");
    String yaml = """
        sluice:
          upstream:
            - http://127.0.0.1:9                        # priority 0: first
            - http://127.0.0.1:10;api-key=file:%s
            - http://127.0.0.1:11;priority=1;weight=3   # shares priority 1 with b, 3:1
          api-key: sk-one, sk-two
          max-attempts: 3
          retry-budget: 20s
          retry-statuses: 429,500,529
          cooldown-max: 30s
          retry-gate: 1500ms
          retry-gate-bytes: 64KB
        """.formatted(keys);
    var loaded = new org.springframework.boot.env.YamlPropertySourceLoader().load("yaml",
        new org.springframework.core.io.ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)));
    web.withInitializer(c -> loaded.forEach(c.getEnvironment().getPropertySources()::addFirst))
        .run(context -> {
          assertThat(context).hasNotFailed();
          SluiceConfig config = config(context);
          assertThat(config.upstreams()).extracting(UpstreamEntry::priority)
              .containsExactly(0, 1, 1);
          assertThat(config.upstreams()).extracting(UpstreamEntry::weight)
              .containsExactly(1, 1, 3);
          assertThat(config.upstreams().get(1).keys()).containsExactly("sk-b1", "sk-b2");
          assertThat(config.apiKeys()).containsExactly("sk-one", "sk-two");
          assertThat(config.retry().maxAttempts()).isEqualTo(3);
          assertThat(config.retry().budget()).isEqualTo(Duration.ofSeconds(20));
          assertThat(config.retry().statuses()).isEqualTo(Set.of(429, 500, 529));
          assertThat(config.retry().cooldownMax()).isEqualTo(Duration.ofSeconds(30));
          assertThat(config.retry().gate()).isEqualTo(Duration.ofMillis(1500));
          assertThat(config.retry().gateBytes()).isEqualTo(64 * 1024);
        });
  }

  @Test
  void oneUrl_staysOneUpstream() {
    web.withPropertyValues("sluice.upstream=http://127.0.0.1:9/base/").run(context -> {
      assertThat(config(context).upstreams()).hasSize(1);
      assertThat(config(context).upstream()).hasToString("http://127.0.0.1:9/base");
    });
  }

  @Test
  void badEntry_failsStartNamingTheProperty() {
    assertStartFails("sluice.upstream=http://127.0.0.1:9,http://127.0.0.1:10;prio=1",
        "sluice.upstream", "unknown parameter 'prio'");
    assertStartFails("sluice.upstream=http://127.0.0.1:9, ftp://example.com", "sluice.upstream",
        "http or https");
    assertStartFails("sluice.upstream=http://127.0.0.1:9;weight=0,http://127.0.0.1:10",
        "sluice.upstream", "weight");
  }

  @Test
  void apiKeyList_fileAndEnv(@TempDir Path dir) throws Exception {
    web.withPropertyValues("sluice.api-key=sk-one, sk-two").run(context ->
        assertThat(config(context).apiKeys()).containsExactly("sk-one", "sk-two"));
    Path file = Files.writeString(dir.resolve("keys"), "# pool\nsk-a\nsk-b\n");
    web.withPropertyValues("sluice.api-key=file:" + file).run(context ->
        assertThat(config(context).apiKeys()).containsExactly("sk-a", "sk-b"));
    String path = System.getenv("PATH"); // any variable the test's environment has
    web.withPropertyValues("sluice.api-key=env:PATH").run(context ->
        assertThat(config(context).apiKeys()).isNotEmpty().allMatch(path::contains));
  }

  @Test
  void badKeys_failNamingThePropertyButNeverAValue(@TempDir Path dir) {
    assertStartFails("sluice.api-key=sk-secret-one,sk-secret-two\r\nX-Injected: 1",
        "sluice.api-key", "CR, LF", "sk-secret");
    assertStartFails("sluice.api-key=env:SLUICE_TEST_NO_SUCH_VARIABLE", "sluice.api-key",
        "is not set", "sk-");
    assertStartFails("sluice.api-key=file:" + dir.resolve("missing"), "sluice.api-key",
        "cannot read the key file", "sk-");
    // A key written into an entry is refused, and not echoed either.
    assertStartFails("sluice.upstream=http://127.0.0.1:9;api-key=sk-secret-inline,"
        + "http://127.0.0.1:10", "sluice.upstream", "env:NAME or file:PATH", "sk-secret");
  }

  @Test
  void retrySettings_inBootsValueSyntax() {
    web.withPropertyValues("sluice.max-attempts=4", "sluice.retry-budget=10s",
        "sluice.retry-statuses=429,529", "sluice.retry-backoff=100ms",
        "sluice.retry-backoff-max=2s", "sluice.cooldown-max=1m", "sluice.retry-gate=0",
        "sluice.retry-gate-bytes=16KB").run(context -> {
          var retry = config(context).retry();
          assertThat(retry.maxAttempts()).isEqualTo(4);
          assertThat(retry.budget()).isEqualTo(Duration.ofSeconds(10));
          assertThat(retry.statuses()).isEqualTo(Set.of(429, 529));
          assertThat(retry.backoff()).isEqualTo(Duration.ofMillis(100));
          assertThat(retry.backoffMax()).isEqualTo(Duration.ofSeconds(2));
          assertThat(retry.cooldownMax()).isEqualTo(Duration.ofMinutes(1));
          assertThat(retry.gate()).isZero();
          assertThat(retry.gateBytes()).isEqualTo(16 * 1024);
        });
    web.run(context -> assertThat(config(context).retry())
        .isEqualTo(dev.sluice.failover.RetryPolicy.DEFAULT));
  }

  @Test
  void badRetrySetting_failsStartNamingTheProperty() {
    assertStartFails("sluice.max-attempts=50", "sluice.max-attempts", "between");
    assertStartFails("sluice.retry-budget=-1s", "sluice.retry-budget", "negative");
    assertStartFails("sluice.retry-statuses=429,700", "sluice.retry-statuses", "100 to 599");
    assertStartFails("sluice.retry-gate=soon", "sluice.retry-gate", "soon");
    assertStartFails("sluice.retry-gate-bytes=0B", "sluice.retry-gate-bytes", "positive");
    assertStartFails("sluice.cooldown-max=-5s", "sluice.cooldown-max", "negative");
  }

  /** IDE completion: the generated metadata has the failover properties, with their types. */
  @Test
  void metadata_listsTheFailoverProperties() throws Exception {
    String json;
    try (InputStream in = getClass().getClassLoader()
        .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    java.util.Map<String, String> types = new java.util.HashMap<>();
    root.path("properties").forEach(p -> types.put(p.path("name").asText(),
        p.path("type").asText()));
    assertThat(types).containsEntry("sluice.upstream", "java.util.List<java.lang.String>")
        .containsEntry("sluice.api-key", "java.lang.String")
        .containsEntry("sluice.max-attempts", "java.lang.Integer")
        .containsEntry("sluice.retry-budget", "java.time.Duration")
        .containsEntry("sluice.retry-statuses", "java.util.List<java.lang.Integer>")
        .containsEntry("sluice.retry-gate", "java.time.Duration")
        .containsEntry("sluice.retry-gate-bytes", "org.springframework.util.unit.DataSize")
        .containsEntry("sluice.cooldown-max", "java.time.Duration")
        .containsKeys("sluice.retry-backoff", "sluice.retry-backoff-max",
            "sluice.request-hook-timeout");
  }

  /** Fails start with a binding error whose text has {@code has} and never {@code never}. */
  private void assertStartFails(String property, String name, String has, String... never) {
    web.withPropertyValues(property).run(context -> {
      assertThat(context).as(property).hasFailed();
      Throwable failure = context.getStartupFailure();
      String text = messages(failure);
      assertThat(text).as(property).contains(name).contains(has);
      for (String secret : never) {
        assertThat(text).as(property).doesNotContain(secret);
      }
      boolean bind = false;
      for (Throwable c = failure; c != null; c = c.getCause()) {
        bind |= c instanceof BindException;
      }
      assertThat(bind).as(property).isTrue();
    });
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getMessage()).append('\n');
      if (c instanceof org.springframework.boot.context.properties.bind.validation
          .BindValidationException v) {
        b.append(v.getValidationErrors().getAllErrors()).append('\n');
      }
    }
    return b.toString();
  }
}
