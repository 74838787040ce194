package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.hook.EventContext;
import dev.sluice.hook.Hook;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream (or a proxy in front of it, or a static server in a benchmark) may send an event
 * stream with a {@code content-length}. When an event hook changes the events, that length no
 * longer holds: the client must get the changed stream whole, not a length it outgrows.
 */
class UpstreamLengthTest {
  static final String STREAM = "event: message_start\ndata: {\"type\":\"message_start\","
      + "\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\","
      + "\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":0}}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
      + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      + "\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n"
      + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  HttpServer upstream;
  EmbeddedJetty jetty;

  @AfterEach
  void stop() throws Exception {
    if (jetty != null) {
      jetty.close();
    }
    if (upstream != null) {
      upstream.stop(0);
    }
  }

  /** Makes every text delta longer than upstream sent it. */
  static final class Longer implements Hook {
    @Override
    public String name() {
      return "longer";
    }

    @Override
    public Set<String> eventNames() {
      return Set.of("content_block_delta");
    }

    @Override
    public void onEvent(EventContext ctx) {
      ctx.replace("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"a much longer text than upstream's\"}}");
    }
  }

  @Test
  void eventHookThatGrowsTheStream_dropsUpstreamsContentLength() throws Exception {
    byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    upstream.createContext("/v1/messages", x -> {
      x.getRequestBody().readAllBytes();
      x.getResponseHeaders().set("content-type", "text/event-stream");
      x.sendResponseHeaders(200, body.length); // a content-length, not chunked
      try (var out = x.getResponseBody()) {
        out.write(body);
      }
    });
    upstream.start();
    URI base = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
    jetty = EmbeddedJetty.start(new SluiceFilter(SluiceConfig.builder().upstream(base).build(),
        List.of(new Longer())));

    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(jetty.baseUri() + "/v1/messages"))
        .timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-length")).isEmpty();
    assertThat(r.body()).contains("a much longer text than upstream's")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  }
}
