package dev.sluice.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.RecordedRequest.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
final class MockUpstreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM_BODY =
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  private static final String PLAIN_BODY =
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  private static final Duration WAIT = Duration.ofSeconds(5);

  private static MockUpstream mock;
  private static HttpClient client;

  @BeforeAll
  static void start() {
    mock = MockUpstream.start();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    mock.close();
  }

  @BeforeEach
  void forget() {
    mock.reset();
  }

  static List<String> cases() {
    return MockUpstream.transcriptCases();
  }

  // ---- transcripts

  @ParameterizedTest
  @MethodSource("cases")
  void transcript_streamedByteIdentical(String name) throws Exception {
    HttpResponse<byte[]> response = post(STREAM_BODY, "x-mock-scenario", name);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(resource(name + ".sse"));
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("text/event-stream; charset=utf-8");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-cache");
    assertThat(response.headers().firstValue("content-length")).isEmpty();
    RecordedRequest recorded = mock.takeRequest(WAIT);
    assertThat(response.headers().firstValue("request-id")).hasValue(recorded.requestId());
    assertThat(recorded.awaitOutcome(WAIT)).isEqualTo(Outcome.COMPLETED);
    assertThat(recorded.bytesSent()).isEqualTo(response.body().length);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void transcript_nonStreamingReturnsFinalMessage(String name) throws Exception {
    HttpResponse<byte[]> response = post(PLAIN_BODY, "x-mock-scenario", name);

    byte[] expected = resource(name + ".json");
    assertThat(response.statusCode()).isEqualTo(name.equals("mid_stream_error") ? 529 : 200);
    assertThat(response.body()).isEqualTo(expected);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("content-length"))
        .hasValue(String.valueOf(expected.length));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void transcript_framedAsTheSdksExpect(String name) throws Exception {
    byte[] bytes = resource(name + ".sse");
    List<Sse.Event> events = Sse.parse(bytes);

    assertThat(events).isNotEmpty();
    for (Sse.Event event : events) {
      assertThat(event.name()).as("event: line of %s", event).isNotNull();
      assertThat(event.terminated()).as("blank line after %s", event).isTrue();
      assertThat(JSON.readTree(event.data()).get("type").asText()).isEqualTo(event.name());
    }
    assertThat(events.get(0).name()).isEqualTo("message_start");
    String last = name.equals("mid_stream_error") ? "error" : "message_stop";
    assertThat(events.get(events.size() - 1).name()).isEqualTo(last);
    assertThat(events).filteredOn(e -> e.name().equals("message_stop")).hasSizeLessThan(2);

    JsonNode message = JSON.readTree(events.get(0).data()).get("message");
    assertThat(message.get("id").asText()).startsWith("msg_01");
    assertThat(message.get("model").asText()).startsWith("claude-");
    assertThat(message.get("usage").fieldNames())
        .toIterable()
        .contains(
            "input_tokens",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
            "output_tokens",
            "service_tier");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void transcript_jsonIsTheAssembledStream(String name) throws Exception {
    if (name.equals("mid_stream_error")) {
      assertThat(JSON.readTree(resource(name + ".json")).at("/error/type").asText())
          .isEqualTo("overloaded_error");
      return;
    }
    JsonNode assembled = MessageAssembler.assemble(Sse.parse(resource(name + ".sse")));
    assertThat(JSON.readTree(resource(name + ".json"))).isEqualTo(assembled);
  }

  @Test
  void text_hasPingWithSpaceAndPadding() throws Exception {
    String text = new String(resource("text.sse"), UTF_8);
    assertThat(text).contains("event: ping\ndata: {\"type\": \"ping\"}\n\n");
    assertThat(text).containsPattern("\"service_tier\":\"standard\"[^\\n]*\\}\\} {4,}\\}\\n");
  }

  @Test
  void quirkyTranscripts_keepTheirQuirks() throws Exception {
    String crlf = new String(resource("crlf.sse"), UTF_8);
    assertThat(crlf.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
    assertThat(crlf).contains("\r\n: ").contains("\r\ndata:{").endsWith("\r\n\r\n");

    String unicode = new String(resource("unicode.sse"), UTF_8);
    assertThat(unicode).contains("é", "日本語", "🎉", "\u2028");

    List<Sse.Event> thinking = Sse.parse(resource("thinking.sse"));
    assertThat(thinking).filteredOn(e -> e.data().contains("signature_delta")).hasSize(1);
    assertThat(new String(resource("thinking.sse"), UTF_8)).contains("output_tokens_details");

    String toolUse = new String(resource("tool_use.sse"), UTF_8);
    assertThat(toolUse).contains("\"id\":\"toolu_01").contains("\"partial_json\":\"\"");

    List<Sse.Event> server = Sse.parse(resource("server_tools.sse"));
    JsonNode start = JSON.readTree(server.get(0).data()).at("/message/usage/input_tokens");
    JsonNode delta =
        server.stream()
            .filter(e -> e.name().equals("message_delta"))
            .map(e -> readTree(e.data()))
            .findFirst()
            .orElseThrow();
    assertThat(delta.at("/usage/input_tokens").asInt()).isGreaterThan(start.asInt());
    assertThat(delta.at("/usage/server_tool_use/web_search_requests").asInt()).isEqualTo(1);
    assertThat(new String(resource("server_tools.sse"), UTF_8))
        .contains("\"id\":\"srvtoolu_01", "\"type\":\"web_search_tool_result\"");

    assertThat(new String(resource("multi_block.sse"), UTF_8)).contains("redacted_thinking");
    assertThat(new String(resource("citations.sse"), UTF_8)).contains("citations_delta");
    assertThat(Sse.parse(resource("long_text.sse")))
        .filteredOn(e -> e.data().contains("text_delta"))
        .hasSizeGreaterThanOrEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "unicode", "crlf"})
  void chunkBytesOne_sameBytes(String name) throws Exception {
    HttpResponse<byte[]> response =
        post(STREAM_BODY, "x-mock-scenario", name, "x-mock-chunk-bytes", "1");

    assertThat(response.body()).isEqualTo(resource(name + ".sse"));
  }

  @Test
  void chunkBytes_largerThanEvents_sameBytes() throws Exception {
    HttpResponse<byte[]> response =
        post(STREAM_BODY, "x-mock-scenario", "long_text", "x-mock-chunk-bytes", "1000");

    assertThat(response.body()).isEqualTo(resource("long_text.sse"));
  }

  // ---- generated scenarios

  @Test
  void paced_streamsRequestedDeltas() throws Exception {
    HttpResponse<byte[]> response =
        post(STREAM_BODY, "x-mock-scenario", "paced", "x-mock-deltas", "5");

    List<Sse.Event> events = Sse.parse(response.body());
    assertThat(events)
        .extracting(Sse.Event::name)
        .containsExactly(
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop");
    JsonNode message = MessageAssembler.assemble(events);
    assertThat(message.at("/content/0/text").asText()).isEqualTo("hello ".repeat(5));
    assertThat(message.at("/usage/output_tokens").asInt()).isEqualTo(5);
    assertThat(message.get("model").asText()).isEqualTo("claude-sonnet-4-5");
  }

  @Test
  void paced_nonStreamingIsTheAssembledMessage() throws Exception {
    HttpResponse<byte[]> streamed =
        post(STREAM_BODY, "x-mock-scenario", "paced", "x-mock-deltas", "7");
    HttpResponse<byte[]> plain = post(PLAIN_BODY, "x-mock-scenario", "paced", "x-mock-deltas", "7");

    assertThat(JSON.readTree(plain.body()))
        .isEqualTo(MessageAssembler.assemble(Sse.parse(streamed.body())));
  }

  @Test
  void bulk_largeStreamArrivesWhole() throws Exception {
    HttpResponse<byte[]> response =
        post(
            STREAM_BODY,
            "x-mock-scenario", "bulk",
            "x-mock-deltas", "4000",
            "x-mock-delta-bytes", "4096");

    assertThat(response.body().length).isGreaterThan(16_000_000);
    List<Sse.Event> events = Sse.parse(response.body());
    assertThat(events).hasSize(4005);
    JsonNode delta = JSON.readTree(events.get(2).data());
    assertThat(delta.at("/delta/text").asText()).hasSize(4096);
    RecordedRequest recorded = mock.takeRequest(WAIT);
    assertThat(recorded.awaitOutcome(WAIT)).isEqualTo(Outcome.COMPLETED);
    assertThat(recorded.bytesSent()).isEqualTo(response.body().length);
  }

  // ---- other endpoints and errors

  @Test
  void countTokens_quarterOfBodyLength() throws Exception {
    String body =
        "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    HttpResponse<byte[]> response = send("POST", "/v1/messages/count_tokens", body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(new String(response.body(), UTF_8))
        .isEqualTo("{\"input_tokens\":" + body.length() / 4 + "}");
  }

  @ParameterizedTest
  @CsvSource({
    "error_400, 400, invalid_request_error",
    "error_401, 401, authentication_error",
    "error_429, 429, rate_limit_error",
    "error_500, 500, api_error",
    "error_529, 529, overloaded_error",
  })
  void errorScenario_statusBodyAndHeaders(String scenario, int status, String type)
      throws Exception {
    HttpResponse<byte[]> response = post(STREAM_BODY, "x-mock-scenario", scenario);

    assertThat(response.statusCode()).isEqualTo(status);
    assertErrorBody(response, type);
    if (status == 429) {
      assertThat(response.headers().firstValue("retry-after")).hasValue("7");
    }
    if (status == 529) {
      assertThat(response.headers().firstValue("x-should-retry")).hasValue("true");
    }
  }

  @Test
  void foreignErrors_htmlPageAndEmptyBody() throws Exception {
    HttpResponse<byte[]> html = post(STREAM_BODY, "x-mock-scenario", "error_502_html");
    HttpResponse<byte[]> empty = post(STREAM_BODY, "x-mock-scenario", "error_503_empty");

    assertThat(html.statusCode()).isEqualTo(502);
    assertThat(html.headers().firstValue("content-type")).hasValue("text/html");
    assertThat(new String(html.body(), UTF_8)).startsWith("<html>").contains("502 Bad Gateway");
    assertThat(empty.statusCode()).isEqualTo(503);
    assertThat(empty.headers().firstValue("content-type")).isEmpty();
    assertThat(empty.headers().firstValue("content-length")).hasValue("0");
    assertThat(empty.body()).isEmpty();
  }

  /** The broken events sit inside a message that still assembles and ends normally. */
  @ParameterizedTest
  @ValueSource(strings = {"malformed_sse", "invalid_utf8"})
  void brokenStreams_wrapAValidMessage(String scenario) throws Exception {
    byte[] body = post(STREAM_BODY, "x-mock-scenario", scenario).body();
    String text = new String(body, UTF_8);

    assertThat(text).startsWith("event: message_start\n")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    if (scenario.equals("malformed_sse")) {
      assertThat(text).contains("\nthis line has no colon\n", "\ndata: not json\n",
          "\"text\":\"cut off\n\n");
    } else {
      assertThatExceptionOfType(CharacterCodingException.class)
          .isThrownBy(() -> UTF_8.newDecoder().decode(ByteBuffer.wrap(body)));
    }
  }

  @Test
  void unknownPath_404() throws Exception {
    HttpResponse<byte[]> response = send("POST", "/v1/complete", PLAIN_BODY);

    assertThat(response.statusCode()).isEqualTo(404);
    assertErrorBody(response, "not_found_error");
    assertThat(mock.takeRequest(WAIT).path()).isEqualTo("/v1/complete");
  }

  @Test
  void wrongMethod_405() throws Exception {
    HttpResponse<byte[]> response = send("GET", "/v1/messages", null);

    assertThat(response.statusCode()).isEqualTo(405);
    assertErrorBody(response, "invalid_request_error");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{\"stream\":true", "[1]", "{} {}"})
  void unparseableBody_400(String body) throws Exception {
    HttpResponse<byte[]> response = send("POST", "/v1/messages", body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertErrorBody(response, "invalid_request_error");
  }

  @Test
  void unknownScenarioOrBadKnob_400() throws Exception {
    assertErrorBody(post(STREAM_BODY, "x-mock-scenario", "nope"), "invalid_request_error");
    assertErrorBody(post(STREAM_BODY, "x-mock-delay-ms", "soon"), "invalid_request_error");
  }

  @Test
  void everyResponse_carriesApiHeaders() throws Exception {
    HttpResponse<byte[]> first = post(STREAM_BODY);
    HttpResponse<byte[]> second = post(PLAIN_BODY, "x-mock-scenario", "error_500");

    for (HttpResponse<byte[]> r : List.of(first, second)) {
      assertThat(r.headers().firstValue("request-id")).get().asString().matches("req_011CMock\\d+");
      assertThat(r.headers().firstValue("anthropic-organization-id")).isPresent();
      assertThat(r.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("4000");
      assertThat(r.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("3999");
      assertThat(r.headers().firstValue("anthropic-ratelimit-tokens-reset"))
          .get()
          .asString()
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
      assertThat(r.headers().firstValue("set-cookie")).hasValue("_cfuvid=mock; path=/; HttpOnly");
      assertThat(r.headers().firstValue("x-mock-end-to-end")).hasValue("yes");
    }
    assertThat(first.headers().firstValue("request-id"))
        .isNotEqualTo(second.headers().firstValue("request-id"));
  }

  // ---- recording

  @Test
  void recording_keepsMethodPathQueryHeadersAndBody() throws Exception {
    byte[] body = "{\"stream\":false,\"model\":\"m\",\"x\":\"é\"}".getBytes(UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(uri("/v1/messages?beta=true"))
            .header("anthropic-beta", "b1")
            .header("Anthropic-Beta", "b2,b3")
            .header("x-api-key", "sk-test")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    client.send(request, HttpResponse.BodyHandlers.ofByteArray());

    RecordedRequest recorded = mock.takeRequest(WAIT);
    assertThat(recorded.method()).isEqualTo("POST");
    assertThat(recorded.path()).isEqualTo("/v1/messages");
    assertThat(recorded.query()).isEqualTo("beta=true");
    assertThat(recorded.headers("ANTHROPIC-BETA")).containsExactly("b1", "b2,b3");
    assertThat(recorded.header("x-api-key")).isEqualTo("sk-test");
    assertThat(recorded.headerList())
        .contains(Map.entry("anthropic-beta", "b1"), Map.entry("anthropic-beta", "b2,b3"));
    assertThat(recorded.headerList()).allMatch(e -> e.getKey().equals(e.getKey().toLowerCase()));
    assertThat(recorded.body()).isEqualTo(body);
    assertThat(recorded.status()).isEqualTo(200);
    assertThat(mock.requests()).containsExactly(recorded);
  }

  @Test
  void takeRequest_timesOutWithAssertionError() {
    assertThatThrownBy(() -> mock.takeRequest(Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void takeRequest_returnsEachRequestOnceInOrder() throws Exception {
    post(PLAIN_BODY, "x-mock-scenario", "text");
    post(PLAIN_BODY, "x-mock-scenario", "tool_use");

    assertThat(mock.takeRequest(WAIT).header("x-mock-scenario")).isEqualTo("text");
    assertThat(mock.takeRequest(WAIT).header("x-mock-scenario")).isEqualTo("tool_use");
    assertThat(mock.requests()).hasSize(2);
    mock.reset();
    assertThat(mock.requests()).isEmpty();
  }

  // ---- pacing, holds and disconnects

  @Test
  void paced_delaysApplyAndBytesSentGrows() throws Exception {
    long started = System.nanoTime();
    CompletableFuture<HttpResponse<byte[]>> pending =
        postAsync(
            STREAM_BODY,
            "x-mock-scenario", "paced",
            "x-mock-deltas", "10",
            "x-mock-delay-ms", "60");
    RecordedRequest recorded = mock.takeRequest(WAIT);
    long early = awaitBytesSent(recorded, 1);
    HttpResponse<byte[]> response = pending.get(10, TimeUnit.SECONDS);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    // 15 events, 14 gaps of 60 ms.
    assertThat(elapsedMs).isGreaterThanOrEqualTo(700);
    assertThat(early).isLessThan(response.body().length);
    assertThat(recorded.awaitOutcome(WAIT)).isEqualTo(Outcome.COMPLETED);
    assertThat(recorded.bytesSent()).isEqualTo(response.body().length);
  }

  @Test
  void headerDelay_postponesHeaders_firstDelay_flushesHeadersFirst() throws Exception {
    long started = System.nanoTime();
    HttpResponse<InputStream> delayed =
        client.send(
            streamRequest("x-mock-header-delay-ms", "400"),
            HttpResponse.BodyHandlers.ofInputStream());
    long headersAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    delayed.body().readAllBytes();
    assertThat(headersAfterMs).isGreaterThanOrEqualTo(350);

    started = System.nanoTime();
    HttpResponse<InputStream> early =
        client.send(
            streamRequest("x-mock-first-delay-ms", "800"),
            HttpResponse.BodyHandlers.ofInputStream());
    headersAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    byte[] body = early.body().readAllBytes();
    long bodyAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(headersAfterMs).isLessThan(600);
    assertThat(bodyAfterMs).isGreaterThanOrEqualTo(750);
    assertThat(body).isEqualTo(resource("text.sse"));
  }

  @Test
  void hold_pausesAfterMessageStartUntilReleased() throws Exception {
    CompletableFuture<HttpResponse<byte[]>> pending =
        postAsync(STREAM_BODY, "x-mock-scenario", "text", "x-mock-hold", "h1");
    RecordedRequest recorded = mock.takeRequest(WAIT);
    int messageStartLength = EncodedStream.split(resource("text.sse")).eventEnds()[0];

    assertThat(awaitBytesSent(recorded, 1)).isEqualTo(messageStartLength);
    Thread.sleep(300);
    assertThat(pending).isNotDone();
    assertThat(recorded.bytesSent()).isEqualTo(messageStartLength);

    mock.release("h1");
    assertThat(pending.get(5, TimeUnit.SECONDS).body()).isEqualTo(resource("text.sse"));
    assertThat(recorded.awaitOutcome(WAIT)).isEqualTo(Outcome.COMPLETED);
  }

  @Test
  void hold_releaseBeforeRequestIsRemembered() throws Exception {
    mock.release("early");

    HttpResponse<byte[]> response = post(STREAM_BODY, "x-mock-hold", "early");

    assertThat(response.body()).isEqualTo(resource("text.sse"));
  }

  @Test
  void hold_withChunkedWrites() throws Exception {
    CompletableFuture<HttpResponse<byte[]>> pending =
        postAsync(STREAM_BODY, "x-mock-hold", "h2", "x-mock-chunk-bytes", "100");
    RecordedRequest recorded = mock.takeRequest(WAIT);
    int messageStartLength = EncodedStream.split(resource("text.sse")).eventEnds()[0];

    long held = awaitBytesSent(recorded, messageStartLength);
    assertThat(held).isEqualTo((messageStartLength + 99) / 100 * 100);
    mock.release("h2");
    assertThat(pending.get(5, TimeUnit.SECONDS).body()).isEqualTo(resource("text.sse"));
  }

  @Test
  void clientClosesMidStream_clientClosedEarly() throws Exception {
    HttpResponse<InputStream> response =
        client.send(
            streamRequest(
                "x-mock-scenario", "paced",
                "x-mock-deltas", "500",
                "x-mock-delay-ms", "20"),
            HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = response.body();
    assertThat(body.readNBytes(50)).hasSize(50);
    body.close();

    RecordedRequest recorded = mock.takeRequest(WAIT);
    assertThat(recorded.awaitOutcome(WAIT)).isEqualTo(Outcome.CLIENT_CLOSED_EARLY);
    assertThat(recorded.endedAt()).isNotNull();
  }

  @Test
  void clientClosesWhileHeld_detectedWithoutWaitingForRelease() throws Exception {
    Socket socket = new Socket("127.0.0.1", mock.port());
    rawPost(socket, "x-mock-hold: never\r\n");
    RecordedRequest recorded = mock.takeRequest(WAIT);
    awaitBytesSent(recorded, 1);
    socket.close();

    assertThat(recorded.awaitOutcome(Duration.ofSeconds(2))).isEqualTo(Outcome.CLIENT_CLOSED_EARLY);
  }

  @Test
  void clientClosesDuringLongDelay_detectedBeforeNextWrite() throws Exception {
    Socket socket = new Socket("127.0.0.1", mock.port());
    rawPost(socket, "x-mock-scenario: paced\r\nx-mock-deltas: 2\r\nx-mock-delay-ms: 10000\r\n");
    RecordedRequest recorded = mock.takeRequest(WAIT);
    awaitBytesSent(recorded, 1);
    socket.close();

    assertThat(recorded.awaitOutcome(Duration.ofSeconds(2))).isEqualTo(Outcome.CLIENT_CLOSED_EARLY);
  }

  @Test
  void clientClosesDuringHeaderDelay_detectedBeforeHeaders() throws Exception {
    Socket socket = new Socket("127.0.0.1", mock.port());
    rawPost(socket, "x-mock-header-delay-ms: 10000\r\n");
    RecordedRequest recorded = mock.takeRequest(WAIT);
    socket.close();

    assertThat(recorded.awaitOutcome(Duration.ofSeconds(2))).isEqualTo(Outcome.CLIENT_CLOSED_EARLY);
    assertThat(recorded.bytesSent()).isZero();
  }

  @Test
  void keepAlive_connectionReusedAfterWaitingExchanges() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", mock.port())) {
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 3; i++) {
        rawPost(socket, "x-mock-delay-ms: 5\r\nx-mock-first-delay-ms: 5\r\n");
        String response = readChunkedResponse(in);
        assertThat(response).startsWith("HTTP/1.1 200").contains("event: message_stop");
      }
    }
    assertThat(mock.requests()).hasSize(3);
    for (RecordedRequest r : mock.requests()) {
      // The client can see the terminal chunk a moment before the write callback completes.
      assertThat(r.awaitOutcome(WAIT)).isEqualTo(Outcome.COMPLETED);
    }
  }

  @Test
  void abruptClose_clientSeesTruncation() throws Exception {
    assertThatThrownBy(() -> post(STREAM_BODY, "x-mock-scenario", "abrupt_close"))
        .isInstanceOf(IOException.class);

    RecordedRequest recorded = mock.takeRequest(WAIT);
    assertThat(recorded.awaitOutcome(WAIT)).isEqualTo(Outcome.ABORTED_BY_MOCK);
    assertThat(recorded.bytesSent()).isPositive();
  }

  @Test
  void abruptClose_nonStreamingBodyCutShort() throws Exception {
    assertThatThrownBy(() -> post(PLAIN_BODY, "x-mock-scenario", "abrupt_close"))
        .isInstanceOf(IOException.class);

    assertThat(mock.takeRequest(WAIT).awaitOutcome(WAIT)).isEqualTo(Outcome.ABORTED_BY_MOCK);
  }

  @Test
  void hold_nonStreamingHeldBeforeBody() throws Exception {
    CompletableFuture<HttpResponse<byte[]>> pending =
        postAsync(PLAIN_BODY, "x-mock-hold", "h3");
    RecordedRequest recorded = mock.takeRequest(WAIT);
    Thread.sleep(200);
    assertThat(pending).isNotDone();
    assertThat(recorded.bytesSent()).isZero();

    mock.release("h3");
    assertThat(pending.get(5, TimeUnit.SECONDS).body()).isEqualTo(resource("text.json"));
  }

  @Test
  void abruptClose_rawBodyHasNoTerminalChunk() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", mock.port())) {
      rawPost(socket, "x-mock-scenario: abrupt_close\r\nx-mock-deltas: 10\r\n");
      String raw = new String(socket.getInputStream().readAllBytes(), UTF_8);

      assertThat(raw).startsWith("HTTP/1.1 200").contains("event: message_start");
      assertThat(raw).doesNotContain("message_stop").doesNotEndWith("0\r\n\r\n");
      // 15 events, the first 7 sent: message_start, block start, 5 deltas.
      assertThat(raw.split("event: content_block_delta", -1)).hasSize(6);
    }
  }

  @Test
  void close_abortsRunningExchanges() throws Exception {
    MockUpstream other = MockUpstream.start();
    try (Socket socket = new Socket("127.0.0.1", other.port())) {
      rawPost(socket, "x-mock-hold: forever\r\n");
      RecordedRequest recorded = other.takeRequest(WAIT);
      awaitBytesSent(recorded, 1);
      other.close();
      assertThat(recorded.awaitOutcome(WAIT)).isEqualTo(Outcome.ABORTED_BY_MOCK);
    } finally {
      other.close();
    }
  }

  // ---- helpers

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertErrorBody(HttpResponse<byte[]> response, String type)
      throws IOException {
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("type").asText()).isEqualTo("error");
    assertThat(body.at("/error/type").asText()).isEqualTo(type);
    assertThat(body.at("/error/message").asText()).isNotEmpty();
    assertThat(body.get("request_id").asText())
        .isEqualTo(response.headers().firstValue("request-id").orElseThrow());
  }

  private static long awaitBytesSent(RecordedRequest recorded, long atLeast)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (recorded.bytesSent() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("bytesSent stuck at " + recorded.bytesSent());
      }
      Thread.sleep(5);
    }
    return recorded.bytesSent();
  }

  private static String readChunkedResponse(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + out);
      }
      out.write(b);
      if (out.toString(UTF_8).endsWith("\r\n0\r\n\r\n")) {
        return out.toString(UTF_8);
      }
    }
  }

  private static void rawPost(Socket socket, String extraHeaders) throws IOException {
    byte[] body = STREAM_BODY.getBytes(UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n" + extraHeaders + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static URI uri(String path) {
    return URI.create(mock.baseUri() + path);
  }

  private static HttpRequest streamRequest(String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri("/v1/messages"))
            .POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  private static HttpRequest request(String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri("/v1/messages"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  private static HttpResponse<byte[]> post(String body, String... headers)
      throws IOException, InterruptedException {
    return client.send(request(body, headers), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static CompletableFuture<HttpResponse<byte[]>> postAsync(String body, String... headers) {
    return client.sendAsync(request(body, headers), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    return client.send(
        HttpRequest.newBuilder(uri(path)).method(method, publisher).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] resource(String file) throws IOException {
    try (InputStream in = MockUpstreamTest.class.getResourceAsStream("/transcripts/" + file)) {
      assertThat(in).as(file).isNotNull();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }
}
