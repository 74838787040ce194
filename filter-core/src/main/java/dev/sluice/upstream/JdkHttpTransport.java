package dev.sluice.upstream;

import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link UpstreamTransport} on the JDK's HttpClient; one shared client per filter. */
final class JdkHttpTransport implements UpstreamTransport {
  private static final Logger LOG = LoggerFactory.getLogger(JdkHttpTransport.class);

  /**
   * Who runs the client's callbacks (and so the exchange's upstream side). The exchange's
   * callbacks never block (non-blocking servlet writes; blocking mode hands them to the request's
   * own thread), so no callback needs a thread of its own.
   */
  enum ExecutorKind {
    /**
     * The default: the client's own selector thread runs every callback, so a chunk goes from the
     * socket to the servlet write without a thread hand-off. Measured best on the burst benchmark
     * (RATIONALE.md). A hook that is slow on a transport thread stalls every upstream connection
     * of the filter.
     */
    DIRECT,
    /**
     * A fixed pool of one thread per core (at least two): the selector hands each callback over.
     * For hosts with many cores whose event hooks do real work.
     */
    POOL,
    /** The unbounded cached pool of Sluice 0.1 (benchmark baseline): 100+ threads under load. */
    CACHED;

    static ExecutorKind parse(String value) {
      if (value.isEmpty()) {
        return DIRECT;
      }
      try {
        return valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Invalid Sluice setting 'jdk-executor': '" + value
            + "' is not one of direct, pool, cached", e);
      }
    }
  }

  private static final AtomicBoolean THREAD_PER_REQUEST_TOLD = new AtomicBoolean();

  private final ExecutorService executor; // null for DIRECT
  private final HttpClient client;

  private JdkHttpTransport(Duration connectTimeout, ExecutorKind kind) {
    // Our own executor so that close() can stop its threads (HttpClient has no close() on JDK 17).
    this.executor = newExecutor(kind);
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor != null ? executor : (Executor) Runnable::run);
    this.client = buildOutsideTheWebApp(builder);
    String notice = threadPerRequestNotice(ForkJoinPool.getCommonPoolParallelism(),
        Runtime.getRuntime().availableProcessors());
    if (notice != null && THREAD_PER_REQUEST_TOLD.compareAndSet(false, true)) {
      LOG.info(notice);
    }
  }

  /**
   * HttpClient.sendAsync ends every request with {@code whenCompleteAsync(.., ASYNC_POOL)}, where
   * ASYNC_POOL is CompletableFuture's default executor (JDK 17 to 25). When the common
   * ForkJoinPool has a parallelism below 2 (the default on machines with 1 or 2 CPUs), that
   * executor starts a new thread for every task: one thread start per upstream request, which
   * Sluice cannot avoid from inside the JDK client. The remedy is the JVM's to choose.
   *
   * @return the line to log once, or null when the JVM is not affected
   */
  static String threadPerRequestNotice(int commonParallelism, int cpus) {
    if (commonParallelism >= 2) {
      return null;
    }
    return "The JDK HttpClient starts a new thread for every upstream request in this JVM ("
        + cpus + " CPUs, ForkJoinPool common parallelism " + commonParallelism + ", so "
        + "CompletableFuture's default executor is thread-per-task). To avoid it, start the JVM "
        + "with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2, or use Sluice's "
        + "transport=jetty (the default).";
  }

  static JdkHttpTransport create(Duration connectTimeout) {
    return new JdkHttpTransport(connectTimeout, ExecutorKind.DIRECT);
  }

  static JdkHttpTransport create(Duration connectTimeout, ExecutorKind kind) {
    return new JdkHttpTransport(connectTimeout, kind);
  }

  /**
   * build() starts the client's selector thread, which inherits the caller's context class
   * loader: on a container thread, the web app's. That thread outlives Filter.destroy on JDK 17
   * (it ends once the client is garbage), so it would pin the web app's loader and make Tomcat
   * warn on undeploy. It gets the system loader instead.
   */
  static HttpClient buildOutsideTheWebApp(HttpClient.Builder builder) {
    Thread current = Thread.currentThread();
    ClassLoader saved = current.getContextClassLoader();
    current.setContextClassLoader(ClassLoader.getSystemClassLoader());
    try {
      return builder.build();
    } finally {
      current.setContextClassLoader(saved);
    }
  }

  @Override
  public UpstreamCall open(UpstreamRequest request, UpstreamListener listener) {
    HttpRequest.Builder b = HttpRequest.newBuilder(request.uri())
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.body(), 0, request.bodyLength()));
    for (var h : request.headers()) {
      try {
        b.header(h.getKey(), h.getValue());
      } catch (IllegalArgumentException restrictedOrInvalid) {
        // The JDK refuses a few names (and invalid values); dropping one beats failing the call.
        LOG.debug("not forwarding header {}", h.getKey());
      }
    }
    return new JdkCall(client, b.build(), listener);
  }

  @Override
  public void close() {
    shutdownNow(client);
    if (executor != null) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS); // gone before a leak check, not just told
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** JDK 21+: stops the selector thread now (the build targets 17, hence reflection). */
  private static void shutdownNow(HttpClient client) {
    Method m;
    try {
      m = HttpClient.class.getMethod("shutdownNow");
    } catch (NoSuchMethodException jdk17) {
      return;
    }
    try {
      m.invoke(client);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("HttpClient.shutdownNow failed", e);
    }
  }

  private static ExecutorService newExecutor(ExecutorKind kind) {
    switch (kind) {
      case DIRECT:
        return null;
      case CACHED:
        return Executors.newCachedThreadPool(daemonThreads());
      case POOL:
      default:
        int n = Math.max(2, Runtime.getRuntime().availableProcessors());
        // Unbounded queue, bounded by the flow control: an exchange has at most a few tasks
        // queued (its response, one demanded chunk, its end).
        return new ThreadPoolExecutor(n, n, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
            daemonThreads());
    }
  }

  /**
   * Pool threads get the loader of the thread that made the transport (the web app's), whichever
   * thread starts them, so hooks see the same context class loader on every callback; they end
   * in close(), so they pin nothing after undeploy.
   */
  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return r -> {
      Thread t = new Thread(r, "sluice-upstream-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(loader);
      return t;
    };
  }
}
