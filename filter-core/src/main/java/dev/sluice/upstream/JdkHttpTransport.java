package dev.sluice.upstream;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link UpstreamTransport} on the JDK's HttpClient; one shared client per filter. */
final class JdkHttpTransport implements UpstreamTransport {
  private static final Logger LOG = LoggerFactory.getLogger(JdkHttpTransport.class);

  private final ExecutorService executor;
  private final HttpClient client;

  private JdkHttpTransport(Duration connectTimeout) {
    // Our own executor so that close() can stop its threads (HttpClient has no close() on JDK 17).
    this.executor = Executors.newCachedThreadPool(daemonThreads());
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build();
  }

  static JdkHttpTransport create(Duration connectTimeout) {
    return new JdkHttpTransport(connectTimeout);
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
    executor.shutdownNow();
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "sluice-upstream-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
