package dev.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MockUpstream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The transport contract on the Jetty client, and what is particular to it. */
class JettyTransportTest extends TransportContract {
  @Override
  protected UpstreamTransport create(Duration connectTimeout) {
    return JettyTransport.start(connectTimeout, JettyTransport.POOLED_IDLE_TIMEOUT);
  }

  @Test
  void slowReader_isNeverCutByThePooledConnectionsIdleTimeout() throws Exception {
    transport.close();
    transport = JettyTransport.start(Duration.ofSeconds(5), Duration.ofMillis(100));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    CompletableFuture<Throwable> end = new CompletableFuture<>();
    CompletableFuture<Void> first = new CompletableFuture<>();
    AtomicInteger chunks = new AtomicInteger();
    UpstreamCall[] call = new UpstreamCall[1];
    call[0] = transport.open(new UpstreamRequest(URI.create(mock.baseUri() + "/v1/messages"),
        List.of(Map.entry("x-mock-scenario", "long_text")), STREAM, STREAM.length),
        new UpstreamListener() {
          @Override
          public void onResponse(int status, List<Map.Entry<String, String>> headers) {
            call[0].demand();
          }

          @Override
          public void onData(List<ByteBuffer> data) {
            for (ByteBuffer b : data) {
              body.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            }
            if (chunks.incrementAndGet() == 1) {
              first.complete(null); // the test demands again, much later than the idle timeout
            } else {
              call[0].demand();
            }
          }

          @Override
          public void onComplete() {
            end.complete(null);
          }

          @Override
          public void onFailure(Throwable error) {
            end.complete(error);
          }
        });
    call[0].start();
    first.get(10, TimeUnit.SECONDS);
    Thread.sleep(500); // the client is slow: upstream is not read meanwhile, on purpose
    call[0].demand();
    assertThat(end.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(body.toByteArray()).isEqualTo(MockUpstream.transcript("long_text"));
  }

  @Test
  void close_stopsEveryThreadOfTheClient() throws Exception {
    Recorder r = new Recorder(true);
    r.start(transport, request("x-mock-scenario", "text"));
    assertThat(r.awaitEnd()).isNull();
    transport.close();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("sluice-jetty-client") && t.isAlive());
  }
}
