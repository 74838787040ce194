package dev.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JdkHttpTransportTest extends TransportContract {

  @Override
  protected UpstreamTransport create(Duration connectTimeout) {
    return UpstreamTransport.jdk(connectTimeout);
  }

  @Override
  protected boolean addsOwnUserAgent() {
    return true; // Java-http-client/<version>, when the client sent none; the SDKs always do
  }

  private static Set<Thread> selectorThreads() {
    Set<Thread> found = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().endsWith("-SelectorManager")) {
        found.add(t);
      }
    }
    return found;
  }

  @Test
  void selectorThread_doesNotHoldTheCreatorsContextClassLoader() throws Exception {
    Set<Thread> before = selectorThreads();
    ClassLoader webApp = new URLClassLoader(new URL[0], getClass().getClassLoader());
    Thread current = Thread.currentThread();
    ClassLoader saved = current.getContextClassLoader();
    UpstreamTransport t;
    current.setContextClassLoader(webApp); // as on a container thread during Filter.init
    try {
      t = UpstreamTransport.jdk(Duration.ofSeconds(1));
    } finally {
      current.setContextClassLoader(saved);
    }
    try {
      Set<Thread> started = selectorThreads();
      started.removeAll(before);
      assertThat(started).as("the client's selector thread").hasSize(1);
      Thread selector = started.iterator().next();
      // It outlives Filter.destroy on JDK 17: holding the web app's loader would leak it.
      assertThat(selector.getContextClassLoader()).isNotSameAs(webApp);
      assertThat(current.getContextClassLoader()).as("restored").isSameAs(saved);
    } finally {
      t.close();
    }
  }

  @Test
  void byDefault_callbacksRunOnTheSelectorThread_noHandOff() throws Exception {
    Recorder r = new Recorder(true);
    r.start(transport, request("x-mock-scenario", "long_text"));
    assertThat(r.awaitEnd()).isNull();
    assertThat(r.threads).isNotEmpty().allMatch(n -> n.endsWith("-SelectorManager"));
  }

  @Test
  void poolExecutor_isBounded_underManyConcurrentStreams() throws Exception {
    transport.close();
    transport = JdkHttpTransport.create(Duration.ofSeconds(5), JdkHttpTransport.ExecutorKind.POOL);
    List<Recorder> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Recorder r = new Recorder(true);
      r.start(transport, request("x-mock-scenario", "paced", "x-mock-deltas", "100"));
      all.add(r);
    }
    Set<String> threads = new HashSet<>();
    for (Recorder r : all) {
      assertThat(r.awaitEnd()).isNull();
      assertThat(r.violations).isEmpty();
      threads.addAll(r.threads);
    }
    int cores = Math.max(2, Runtime.getRuntime().availableProcessors());
    assertThat(threads.stream().filter(n -> n.startsWith("sluice-upstream-")).count())
        .as("callback threads: %s", threads).isLessThanOrEqualTo(cores);
  }

  @Test
  void close_stopsThePoolThreads() throws Exception {
    transport.close();
    transport = JdkHttpTransport.create(Duration.ofSeconds(5), JdkHttpTransport.ExecutorKind.POOL);
    Recorder r = new Recorder(true);
    r.start(transport, request("x-mock-scenario", "text"));
    assertThat(r.awaitEnd()).isNull();
    transport.close();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (callbackThreadsAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(callbackThreadsAlive()).isFalse();
    assertThat(r.threads).isNotEmpty().allMatch(n -> n.startsWith("sluice-upstream-"));
  }

  private static boolean callbackThreadsAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().startsWith("sluice-upstream-") && t.isAlive());
  }

  @Test
  void executorSetting_invalidValue_namesTheSetting() {
    assertThatThrownBy(() -> JdkHttpTransport.ExecutorKind.parse("huge"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'jdk-executor'").hasMessageContaining("direct, pool, cached");
    assertThat(JdkHttpTransport.ExecutorKind.parse("")).isEqualTo(
        JdkHttpTransport.ExecutorKind.DIRECT);
    assertThat(JdkHttpTransport.ExecutorKind.parse("Pool")).isEqualTo(
        JdkHttpTransport.ExecutorKind.POOL);
  }

  @Test
  void threadPerRequestNotice_onlyWhenTheCommonPoolCannotRunAsyncTasks() {
    assertThat(JdkHttpTransport.threadPerRequestNotice(1, 2))
        .contains("thread for every upstream request")
        .contains("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2")
        .contains("transport=jetty");
    assertThat(JdkHttpTransport.threadPerRequestNotice(2, 2)).isNull();
    assertThat(JdkHttpTransport.threadPerRequestNotice(3, 4)).isNull();
  }

  /**
   * What the notice claims, checked on the JVM running the test: with a common-pool parallelism
   * below 2 (any 1- or 2-CPU machine, CI included), each request starts a thread; with 2 or more,
   * twenty requests start far fewer than twenty threads.
   */
  @Test
  void threadPerRequest_happensExactlyWhenTheNoticeSaysSo() throws Exception {
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    Recorder warm = new Recorder(true);
    warm.start(transport, request());
    assertThat(warm.awaitEnd()).isNull();
    long before = threads.getTotalStartedThreadCount();
    for (int i = 0; i < 20; i++) {
      Recorder r = new Recorder(true);
      r.start(transport, request());
      assertThat(r.awaitEnd()).isNull();
    }
    long started = threads.getTotalStartedThreadCount() - before;
    if (JdkHttpTransport.threadPerRequestNotice(
        java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(), 0) != null) {
      assertThat(started).isGreaterThanOrEqualTo(20);
    } else {
      assertThat(started).isLessThan(20);
    }
  }
}
