package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.Outcome;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Hook#onArrival} runs on the request's own thread while a filter in front has its
 * thread-bound state set (as a tracing agent makes its server span current), and what it stores
 * reaches the record, also for exchanges that end before the body is read.
 */
class ArrivalTest extends MockedJettyTest {
  static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  /** Binds a value to the thread for the call only, as a tracing filter binds its span. */
  static final class Scoping implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      CURRENT.set("server-span");
      try {
        chain.doFilter(req, res);
      } finally {
        CURRENT.remove();
      }
    }
  }

  static final class Capturing implements Hook {
    final BlockingQueue<ExchangeRecord> records = new LinkedBlockingQueue<>();

    @Override
    public void onArrival(Map<String, Object> attributes) {
      attributes.put("seen", String.valueOf(CURRENT.get()));
    }

    @Override
    public void onComplete(ExchangeRecord record) {
      records.add(record);
    }
  }

  /** One stream request through a Jetty with {@link Scoping} in front of Sluice. */
  HttpResponse<String> post(SluiceConfig config, Hook hook) throws Exception {
    EmbeddedJetty j = jetty(config, new Scoping(), hook);
    return http.send(HttpRequest.newBuilder(URI.create(j.baseUri() + "/v1/messages"))
        .POST(HttpRequest.BodyPublishers.ofString(PipelineTest.STREAM)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void arrivalSeesTheRequestThreadsState() throws Exception {
    Capturing hook = new Capturing();
    assertThat(post(SluiceConfig.builder().upstream(mock.baseUri()).build(), hook).statusCode())
        .isEqualTo(200);
    ExchangeRecord record = hook.records.poll(10, TimeUnit.SECONDS);
    assertThat(record.attributes()).containsEntry("seen", "server-span");
    assertThat(record.turns()).isEmpty(); // one turn, no follow-ups
    assertThat(HookPoint.of(hook)).containsExactly(HookPoint.ARRIVAL, HookPoint.COMPLETE);
  }

  @Test
  void arrivalIsFollowedByACompletionWhenTheBodyIsRefused() throws Exception {
    Capturing hook = new Capturing();
    assertThat(post(SluiceConfig.builder().upstream(mock.baseUri()).maxRequestBytes(16).build(),
        hook).statusCode()).isEqualTo(413);
    ExchangeRecord record = hook.records.poll(10, TimeUnit.SECONDS);
    assertThat(record.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(record.attributes()).containsEntry("seen", "server-span");
  }
}
