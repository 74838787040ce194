package dev.sluice.example.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookSettings;
import dev.sluice.hook.RequestContext;
import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.contract.ExampleAppContract;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A {@link Hook} bean of the app's own context runs in the relay of a real Boot app, configured
 * from Boot's properties, when {@code sluice.hooks} names it; the same bean stays off otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HookBeanIT {
  static final BlockingQueue<String> SEEN = new LinkedBlockingQueue<>();

  /** An app's hook, written as a bean: it needs the context (here, a greeting setting). */
  static final class AuditHook implements Hook {
    private volatile String tag;

    @Override
    public String name() {
      return "audit-bean";
    }

    @Override
    public void configure(HookSettings settings) {
      tag = settings.get("audit-tag");
    }

    @Override
    public void onRequest(RequestContext request) {
      SEEN.add(tag + " request " + request.model());
    }

    @Override
    public void onComplete(ExchangeRecord record) {
      SEEN.add(tag + " complete " + record.outcome());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class AuditConfiguration {
    @Bean
    AuditHook auditHook() {
      return new AuditHook();
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private MockUpstream mock;

  @BeforeAll
  void startMock() {
    mock = MockUpstream.start();
  }

  @AfterAll
  void stopMock() {
    mock.close();
  }

  @Test
  void hookBean_namedInSluiceHooks_seesTheExchange() throws Exception {
    SEEN.clear();
    try (SpringBootExample.Running app = BootApps.start(mock.baseUri(),
        Map.of("hooks", "audit-bean,usage-log", "audit-tag", "from-boot"),
        AuditConfiguration.class)) {
      HttpResponse<String> r = http.send(ExampleAppContract.post(app.baseUri(), "/v1/messages",
          ExampleAppContract.STREAM_BODY), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(SEEN.poll(10, TimeUnit.SECONDS)).isEqualTo("from-boot request claude-sonnet-4-5");
      assertThat(SEEN.poll(10, TimeUnit.SECONDS)).isEqualTo("from-boot complete COMPLETED");
    }
  }

  @Test
  void hookBean_notNamed_staysOff() throws Exception {
    SEEN.clear();
    try (SpringBootExample.Running app = BootApps.start(mock.baseUri(),
        Map.of("hooks", "usage-log"), AuditConfiguration.class)) {
      HttpResponse<String> r = http.send(ExampleAppContract.post(app.baseUri(), "/v1/messages",
          ExampleAppContract.STREAM_BODY), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("message_stop");
      assertThat(SEEN.poll(1, TimeUnit.SECONDS)).isNull();
    }
  }
}
