package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.testkit.MockUpstream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mock process's stats endpoint, which the soak reads from another JVM. */
class MockMainTest {

  @Test
  void stats_countTheResponsesTheMockIsWriting() throws Exception {
    try (MockUpstream mock = MockUpstream.start()) {
      HttpServer stats = MockMain.statsServer(mock);
      try (Socket client = new Socket()) {
        URI uri = MockMain.statsUri(stats);
        assertThat(get(uri)).isEqualTo("{\"activeResponses\":0,\"openConnections\":0}\n");

        InetSocketAddress address = new InetSocketAddress("127.0.0.1", mock.port());
        client.connect(address);
        client.getOutputStream().write(LoadClient.request(address, Bench.BODY,
            List.of("x-mock-scenario: paced", "x-mock-hold: stats")));
        client.getInputStream().read(); // the held response has started
        assertThat(get(uri)).isEqualTo("{\"activeResponses\":1,\"openConnections\":1}\n");

        mock.release("stats");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (get(uri).startsWith("{\"activeResponses\":1,") && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(get(uri)).startsWith("{\"activeResponses\":0,");
      } finally {
        stats.stop(0);
      }
    }
  }

  private static String get(URI uri) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII)).body();
  }
}
