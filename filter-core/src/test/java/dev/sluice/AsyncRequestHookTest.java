package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.Outcome;
import dev.sluice.hook.RequestContext;
import dev.sluice.testkit.MockUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Hook.onRequestAsync}: a request hook that asks a slow store (here a scheduled executor
 * standing for a Redis or HTTP client) holds the request without holding a container thread,
 * and the pipeline goes on from the thread that completes its stage.
 */
class AsyncRequestHookTest extends MockedJettyTest {
  private static final String STREAM = PipelineTest.STREAM;
  private final ScheduledExecutorService store = Executors.newSingleThreadScheduledExecutor(
      r -> new Thread(r, "store-client"));
  private final List<String> calls = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopStore() {
    store.shutdownNow();
  }

  /** A hook with a name and a priority; the tests override the point they need. */
  abstract static class Named implements Hook {
    private final String name;
    private final int priority;

    Named(String name, int priority) {
      this.name = name;
      this.priority = priority;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int priority() {
      return priority;
    }
  }

  static Hook async(String name, int priority, boolean failOpen,
      Function<RequestContext, CompletionStage<?>> call) {
    return new Named(name, priority) {
      @Override
      public boolean failOpen() {
        return failOpen;
      }

      @Override
      public CompletionStage<?> onRequestAsync(RequestContext request) {
        return call.apply(request);
      }
    };
  }

  Hook sync(String name, int priority) {
    return new Named(name, priority) {
      @Override
      public void onRequest(RequestContext request) {
        calls.add(name + " on " + Thread.currentThread().getName());
      }
    };
  }

  /** Completes after {@code ms} on the store's thread, after running {@code then}. */
  CompletableFuture<Void> later(long ms, Runnable then) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    store.schedule(() -> {
      then.run();
      f.complete(null);
    }, ms, TimeUnit.MILLISECONDS);
    return f;
  }

  @Test
  void aHookThatFinishesLater_releasesTheContainerThread_thenTheRequestGoesUpWithItsChange()
      throws Exception {
    CountDownLatch called = new CountDownLatch(1);
    CompletableFuture<Void> answer = new CompletableFuture<>();
    Thread[] caller = new Thread[1];
    Hook budget = async("budget", 0, false, r -> {
      caller[0] = Thread.currentThread();
      called.countDown();
      return answer.thenRun(() -> r.headers().set("x-budget", "ok"));
    });
    EmbeddedJetty j = jetty(budget);
    CompletableFuture<HttpResponse<byte[]>> response = CompletableFuture.supplyAsync(() -> {
      try {
        return post(j.baseUri(), STREAM, "x-mock-scenario", "text");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(called.await(5, TimeUnit.SECONDS)).isTrue();
    // The container thread that called the hook goes back to its pool: no Sluice frame is left
    // on its stack while the store works (a blocking wait would sit in RequestStage).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (inSluice(caller[0]) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(inSluice(caller[0])).as("container thread still in Sluice: %s",
        Arrays.toString(caller[0].getStackTrace())).isFalse();
    assertThat(mock.requests()).as("nothing upstream before the hook finished").isEmpty();
    answer.complete(null);
    HttpResponse<byte[]> r = response.get(10, TimeUnit.SECONDS);
    assertThat(r.body()).isEqualTo(MockUpstream.transcript("text"));
    assertThat(mock.takeRequest(Duration.ofSeconds(5)).header("x-budget")).isEqualTo("ok");
  }

  private static boolean inSluice(Thread t) {
    return Arrays.stream(t.getStackTrace())
        .anyMatch(f -> f.getClassName().startsWith("dev.sluice.") && !f.getClassName()
            .startsWith("dev.sluice.AsyncRequestHookTest"));
  }

  @Test
  void syncAndAsyncHooks_runInPriorityOrder_laterHooksGoOnFromTheCompletingThread()
      throws Exception {
    Hook first = sync("first", 0);
    Hook slow = async("slow", 1, false, r -> {
      calls.add("slow started");
      return later(100, () -> calls.add("slow done"));
    });
    Hook last = sync("last", 2);
    EmbeddedJetty j = jetty(last, slow, first);
    assertThat(post(j.baseUri(), STREAM, "x-mock-scenario", "text").body())
        .isEqualTo(MockUpstream.transcript("text"));
    assertThat(calls).hasSize(4);
    assertThat(calls.get(0)).startsWith("first on ");
    assertThat(calls.subList(1, 3)).containsExactly("slow started", "slow done");
    assertThat(calls.get(3)).isEqualTo("last on store-client");
  }

  @Test
  void anAlreadyCompletedStage_goesOnAtOnceOnTheSameThread() throws Exception {
    Hook quick = async("quick", 0, false, r -> CompletableFuture.completedFuture(null));
    Hook nothing = async("nothing", 1, false, r -> null);
    Hook last = sync("last", 2);
    Thread[] request = new Thread[1];
    Hook seeThread = async("see", -1, false, r -> {
      request[0] = Thread.currentThread();
      return null;
    });
    EmbeddedJetty j = jetty(quick, nothing, last, seeThread);
    assertThat(post(j.baseUri(), STREAM).statusCode()).isEqualTo(200);
    assertThat(calls).containsExactly("last on " + request[0].getName());
  }

  @Test
  void aRejectionFromTheStore_answersTheHooksError_andNothingGoesUpstream() throws Exception {
    RecordingHook recorder = new RecordingHook();
    Hook budget = async("budget", 0, false,
        r -> later(50, () -> r.reject(429, "rate_limit_error", "Budget spent for today")));
    EmbeddedJetty j = jetty(budget, recorder);
    HttpResponse<byte[]> r = post(j.baseUri(), STREAM);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(text(r)).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
        + "\"message\":\"Budget spent for today\"}");
    assertThat(mock.requests()).isEmpty();
    assertThat(recorder.next().outcome()).isEqualTo(Outcome.REJECTED);
  }

  @Test
  void aStageThatFails_failsClosedWith500_orGoesOnWhenTheHookIsFailOpen() throws Exception {
    Hook closed = async("store-down", 0, false,
        r -> CompletableFuture.failedFuture(new IllegalStateException("connection refused")));
    HttpResponse<byte[]> r = post(jetty(closed).baseUri(), STREAM);
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(text(r)).contains("\"type\":\"api_error\"")
        .contains("Request hook 'store-down' failed").doesNotContain("connection refused");
    assertThat(mock.requests()).isEmpty();

    Hook open = async("store-down", 0, true, r2 -> {
      CompletableFuture<Void> f = new CompletableFuture<>();
      store.schedule(() -> f.completeExceptionally(new IllegalStateException("timeout")), 50,
          TimeUnit.MILLISECONDS);
      return f;
    });
    assertThat(post(jetty(open).baseUri(), STREAM, "x-mock-scenario", "text").body())
        .isEqualTo(MockUpstream.transcript("text"));
  }

  @Test
  void aStageThatNeverCompletes_answers504AfterRequestHookTimeout_andALateAnswerSendsNothing()
      throws Exception {
    CompletableFuture<Void> never = new CompletableFuture<>();
    RecordingHook recorder = new RecordingHook();
    Hook stuck = async("stuck", 0, false, r -> never);
    SluiceConfig config = SluiceConfig.builder().upstream(mock.baseUri())
        .requestHookTimeout(Duration.ofMillis(300)).build();
    long start = System.nanoTime();
    HttpResponse<byte[]> r = post(jetty(config, stuck, recorder).baseUri(), STREAM);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(
        TimeUnit.MILLISECONDS.toNanos(300));
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(text(r)).contains("\"type\":\"timeout_error\"")
        .contains("Request hook 'stuck' did not finish within request-hook-timeout");
    assertThat(recorder.next().outcome()).isEqualTo(Outcome.REJECTED);
    never.complete(null);
    Thread.sleep(200);
    assertThat(mock.requests()).isEmpty();
  }

  @Test
  void aFailOpenHookThatTimesOut_isPassedOver() throws Exception {
    Hook stuck = async("stuck", 0, true, r -> new CompletableFuture<>());
    SluiceConfig config = SluiceConfig.builder().upstream(mock.baseUri())
        .requestHookTimeout(Duration.ofMillis(200)).build();
    assertThat(post(jetty(config, stuck).baseUri(), STREAM, "x-mock-scenario", "text").body())
        .isEqualTo(MockUpstream.transcript("text"));
  }

  /** A non-async filter in front: the pipeline resumes on the request's own thread. */
  @Test
  void blockingMode_resumesOnTheRequestThread() throws Exception {
    Thread[] request = new Thread[1];
    Hook slow = async("slow", 0, false, r -> {
      request[0] = Thread.currentThread();
      return later(100, () -> {});
    });
    Hook last = sync("last", 1);
    EmbeddedJetty j = EmbeddedJetty.start(new SluiceFilter(SluiceConfig.builder()
        .upstream(mock.baseUri()).build(), List.of(slow, last)), new ChainTest.PlainFilter(),
        false);
    try {
      assertThat(post(j.baseUri(), STREAM, "x-mock-scenario", "thinking").body())
          .isEqualTo(MockUpstream.transcript("thinking"));
    } finally {
      j.close();
    }
    assertThat(calls).containsExactly("last on " + request[0].getName());
  }

  @Test
  void theRecord_seesWhatTheAsyncHookAttached() throws Exception {
    RecordingHook recorder = new RecordingHook();
    Hook tagger = async("tagger", 0, false,
        r -> later(20, () -> r.attributes().put("tenant", "acme")));
    post(jetty(tagger, recorder).baseUri(), STREAM, "x-mock-scenario", "text");
    ExchangeRecord record = recorder.next();
    assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(record.attributes()).containsEntry("tenant", "acme");
  }
}
