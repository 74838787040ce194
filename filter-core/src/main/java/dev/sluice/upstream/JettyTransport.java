package dev.sluice.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ByteBufferRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link UpstreamTransport} on one Jetty {@link HttpClient} per filter. */
final class JettyTransport implements UpstreamTransport {
  private static final Logger LOG = LoggerFactory.getLogger(JettyTransport.class);

  /** How long a pooled connection may stay unused; never applied while an exchange runs. */
  static final Duration POOLED_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Jetty's default is 64 connections per destination, then queueing: streams last minutes, so
   * a gateway would stall at 64 concurrent streams (the JDK client has no cap at all).
   */
  static final int MAX_CONNECTIONS = 16_384;

  private final HttpClient client;

  private JettyTransport(HttpClient client) {
    this.client = client;
  }

  static JettyTransport start(Duration connectTimeout, Duration pooledIdleTimeout) {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("sluice-jetty-client");
    threads.setDaemon(true);
    HttpClient client = new HttpClient();
    client.setExecutor(threads);
    client.setScheduler(new ScheduledExecutorScheduler("sluice-jetty-client-scheduler", true));
    client.setConnectTimeout(connectTimeout.toMillis());
    client.setIdleTimeout(pooledIdleTimeout.toMillis());
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setUserAgentField(null); // forward the client's user-agent, never add Jetty's
    client.setDefaultRequestContentType(null); // nor a content-type the client did not send
    client.setMaxConnectionsPerDestination(MAX_CONNECTIONS);
    client.setMaxRequestsQueuedPerDestination(MAX_CONNECTIONS);
    client.getContentDecoderFactories().clear(); // bytes as sent: no accept-encoding, no gunzip
    try {
      client.start(); // every thread it starts ends in stop(): none outlives undeploy
    } catch (Exception e) {
      throw new IllegalStateException("Jetty HttpClient failed to start", e);
    }
    client.getContentDecoderFactories().clear(); // in case start() registered any
    preload();
    return new JettyTransport(client);
  }

  /**
   * Loads the classes a first exchange needs, from a list taken from a run ({@code
   * jetty-classes.txt}; best effort: a name this Jetty lacks is skipped). Otherwise a cold web app
   * loads and verifies some 400 classes from its jars during its first upstream request, which on
   * a busy machine outlasted a 1 s {@code headers-timeout} (the JDK client's classes come from
   * the JVM's own archive, so it never showed). Costs a few hundred ms of {@code Filter.init}.
   */
  private static void preload() {
    ClassLoader loader = JettyTransport.class.getClassLoader();
    try (InputStream in = JettyTransport.class.getResourceAsStream("jetty-classes.txt")) {
      if (in == null) {
        return;
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String name = line.trim();
        if (name.isEmpty() || name.startsWith("#")) {
          continue;
        }
        try {
          Class.forName(name, true, loader);
        } catch (ClassNotFoundException | LinkageError | RuntimeException skipped) {
          LOG.debug("not preloaded: {}", name);
        }
      }
    } catch (IOException e) {
      LOG.debug("no preload list", e);
    }
  }

  @Override
  public UpstreamCall open(UpstreamRequest request, UpstreamListener listener) {
    Request r = client.newRequest(request.uri())
        .method(HttpMethod.POST)
        .version(HttpVersion.HTTP_1_1)
        .idleTimeout(0, TimeUnit.MILLISECONDS) // Sluice owns upstream timeouts (a slow client
                                                // leaves the connection unread on purpose)
        .body(new ByteBufferRequestContent((String) null,
            ByteBuffer.wrap(request.body(), 0, request.bodyLength())))
        .headers(h -> {
          for (Map.Entry<String, String> e : request.headers()) {
            h.add(e.getKey(), e.getValue());
          }
        });
    return new JettyCall(r, listener);
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      LOG.warn("Jetty HttpClient failed to stop: {}", e.toString());
    }
  }
}
