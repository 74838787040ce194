package dev.sluice.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceConfig;
import dev.sluice.failover.UpstreamEntry;
import dev.sluice.hook.Hook;
import dev.sluice.hook.TurnContext;
import dev.sluice.testkit.MockUpstream;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hook in a real Jetty running Sluice against the mock upstream, behind a filter that makes a
 * SERVER span current on the request thread as the Java agent does; spans and metrics are read
 * from the SDK's in-memory exporters.
 */
class OpenTelemetryHookTest {
  @RegisterExtension
  static final OpenTelemetryExtension otel = OpenTelemetryExtension.create();

  static final String KEY = "sk-ant-api03-secret-key-never-in-a-span";
  static final String PROMPT = "What is the capital of Freedonia?";
  static final String STREAM = "{\"max_tokens\":64,\"model\":\"claude-sonnet-4-5\","
      + "\"stream\":true,\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\""
      + PROMPT + "\"}]}";

  static MockUpstream mock;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final List<RelayServer> servers = new ArrayList<>();

  @BeforeAll
  static void startMock() {
    mock = MockUpstream.start();
  }

  @AfterAll
  static void stopMock() {
    mock.close();
  }

  @AfterEach
  void stop() throws Exception {
    for (RelayServer s : servers) {
      s.close();
    }
    mock.reset();
  }

  RelayServer relay(Map<String, String> initParams, Hook... hooks) throws Exception {
    RelayServer s = RelayServer.start(mock.baseUri(),
        new ServerSpanFilter(otel.getOpenTelemetry().getTracer("test-server")), initParams, hooks);
    servers.add(s);
    return s;
  }

  RelayServer relay() throws Exception {
    return relay(Map.of(), new OpenTelemetryHook(otel.getOpenTelemetry()));
  }

  HttpResponse<String> post(RelayServer s, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base + "/v1/messages"))
        .header("content-type", "application/json").header("x-api-key", KEY)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The spans once {@code n} GenAI spans ended (onComplete runs after the response ended). */
  static List<SpanData> chatSpans(int n) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      List<SpanData> chat = otel.getSpans().stream()
          .filter(s -> s.getName().startsWith("chat")).collect(Collectors.toList());
      if (chat.size() >= n && otel.getSpans().stream()
          .anyMatch(s -> s.getKind() == SpanKind.SERVER)) {
        return chat;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no " + n + " chat span(s) ended; spans: " + otel.getSpans());
  }

  static SpanData serverSpan() {
    return otel.getSpans().stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst()
        .orElseThrow();
  }

  static Optional<MetricData> metric(String name) {
    return otel.getMetrics().stream().filter(m -> m.getName().equals(name)).findFirst();
  }

  static long exchanges(String outcome) {
    return metric(GenAi.EXCHANGES).map(m -> m.getLongSumData().getPoints().stream()
        .filter(p -> outcome.equals(p.getAttributes().get(GenAi.OUTCOME)))
        .mapToLong(LongPointData::getValue).sum()).orElse(0L);
  }

  static long active() {
    return metric(GenAi.ACTIVE).map(m -> m.getLongSumData().getPoints().stream()
        .mapToLong(LongPointData::getValue).sum()).orElse(0L);
  }

  static HistogramPointData histogram(String name, Predicate<Attributes> which) {
    return metric(name).orElseThrow().getHistogramData().getPoints().stream()
        .filter(p -> which.test(p.getAttributes())).findFirst().orElseThrow();
  }

  static void assertNoSecretNorContent(SpanData span) {
    span.getAttributes().forEach((k, v) -> {
      assertThat(String.valueOf(v)).doesNotContain("sk-ant").doesNotContain("Freedonia")
          .doesNotContain("Be brief").doesNotContain("How can I help");
    });
    assertThat(span.getAttributes().get(GenAi.INPUT_MESSAGES)).isNull();
    assertThat(span.getAttributes().get(GenAi.OUTPUT_MESSAGES)).isNull();
  }

  @Test
  void stream_spanHasGenAiAttributesUnderTheServerSpan() throws Exception {
    RelayServer s = relay();
    HttpResponse<String> r = post(s, STREAM);
    assertThat(r.statusCode()).isEqualTo(200);
    SpanData span = chatSpans(1).get(0);
    SpanData server = serverSpan();

    assertThat(span.getName()).isEqualTo("chat claude-sonnet-4-5");
    assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(span.getTraceId()).isEqualTo(server.getTraceId());
    assertThat(span.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(span.getStartEpochNanos()).isGreaterThanOrEqualTo(server.getStartEpochNanos());
    Attributes a = span.getAttributes();
    assertThat(a.get(GenAi.OPERATION_NAME)).isEqualTo("chat");
    assertThat(a.get(GenAi.PROVIDER_NAME)).isEqualTo("anthropic");
    assertThat(a.get(GenAi.REQUEST_MODEL)).isEqualTo("claude-sonnet-4-5");
    assertThat(a.get(GenAi.REQUEST_MAX_TOKENS)).isEqualTo(64L);
    assertThat(a.get(GenAi.REQUEST_STREAM)).isTrue();
    assertThat(a.get(GenAi.RESPONSE_MODEL)).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(a.get(GenAi.RESPONSE_ID)).isEqualTo("msg_01XFDUDYJgAACzvnptvVoYEL");
    assertThat(a.get(GenAi.RESPONSE_FINISH_REASONS)).containsExactly("end_turn");
    assertThat(a.get(GenAi.USAGE_INPUT_TOKENS)).isEqualTo(11L);
    assertThat(a.get(GenAi.USAGE_OUTPUT_TOKENS)).isEqualTo(12L);
    assertThat(a.get(GenAi.USAGE_CACHE_READ_INPUT_TOKENS)).isEqualTo(0L);
    assertThat(a.get(GenAi.USAGE_CACHE_CREATION_INPUT_TOKENS)).isEqualTo(0L);
    assertThat(a.get(AttributeKey.stringKey("server.address"))).isEqualTo("127.0.0.1");
    assertThat(a.get(AttributeKey.longKey("server.port"))).isEqualTo((long) mock.port());
    assertThat(a.get(GenAi.OUTCOME)).isEqualTo("completed");
    assertThat(a.get(GenAi.PARTIAL)).isFalse();
    assertThat(a.get(GenAi.COST)).isCloseTo((11 * 3.0 + 12 * 15.0) / 1e6, within(1e-12));
    assertThat(a.get(GenAi.STATUS)).isEqualTo(200L);
    assertThat(a.get(AttributeKey.stringKey("error.type"))).isNull();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    double ttft = a.get(GenAi.RESPONSE_TIME_TO_FIRST_CHUNK);
    assertThat(ttft).isPositive();
    assertThat(span.getEvents()).singleElement().satisfies(e -> {
      assertThat(e.getName()).isEqualTo("gen_ai.first_chunk");
      assertThat(e.getEpochNanos()).isBetween(span.getStartEpochNanos(), span.getEndEpochNanos());
    });
    assertThat(span.getEndEpochNanos() - span.getStartEpochNanos())
        .isGreaterThanOrEqualTo((long) (ttft * 1e9));
    assertNoSecretNorContent(span);
    PrintedExample.print(span, otel.getMetrics());
  }

  @Test
  void stream_metricsFollowTheConventions() throws Exception {
    RelayServer s = relay();
    assertThat(post(s, STREAM).statusCode()).isEqualTo(200);
    chatSpans(1);
    Predicate<Attributes> input = at -> "input".equals(at.get(GenAi.TOKEN_TYPE));
    Predicate<Attributes> output = at -> "output".equals(at.get(GenAi.TOKEN_TYPE));
    HistogramPointData in = histogram(GenAi.TOKEN_USAGE, input);
    assertThat(in.getSum()).isEqualTo(11.0);
    assertThat(in.getAttributes().get(GenAi.REQUEST_MODEL)).isEqualTo("claude-sonnet-4-5");
    assertThat(in.getAttributes().get(GenAi.RESPONSE_MODEL))
        .isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(in.getAttributes().get(GenAi.PROVIDER_NAME)).isEqualTo("anthropic");
    assertThat(in.getBoundaries()).containsExactlyElementsOf(
        GenAi.TOKEN_BUCKETS.stream().map(Long::doubleValue).collect(Collectors.toList()));
    assertThat(histogram(GenAi.TOKEN_USAGE, output).getSum()).isEqualTo(12.0);
    HistogramPointData duration = histogram(GenAi.OPERATION_DURATION, at -> true);
    assertThat(duration.getCount()).isEqualTo(1);
    assertThat(duration.getBoundaries()).containsExactlyElementsOf(GenAi.SECONDS_BUCKETS);
    assertThat(metric(GenAi.OPERATION_DURATION).orElseThrow().getUnit()).isEqualTo("s");
    HistogramPointData first = histogram(GenAi.TIME_TO_FIRST_CHUNK, at -> true);
    assertThat(first.getCount()).isEqualTo(1);
    assertThat(first.getSum()).isLessThanOrEqualTo(duration.getSum());
    assertThat(exchanges("completed")).isEqualTo(1);
    assertThat(exchanges("client_cancelled")).isZero();
    assertThat(active()).isZero();
    for (MetricData m : otel.getMetrics()) {
      assertThat(m.toString()).doesNotContain("sk-ant").doesNotContain("msg_01")
          .doesNotContain("req_");
    }
  }

  @Test
  void nonStreaming_sameAttributesWithoutTimeToFirstChunk() throws Exception {
    RelayServer s = relay();
    assertThat(post(s, STREAM.replace("\"stream\":true,", "")).statusCode()).isEqualTo(200);
    SpanData span = chatSpans(1).get(0);
    assertThat(span.getAttributes().get(GenAi.REQUEST_STREAM)).isFalse();
    assertThat(span.getAttributes().get(GenAi.USAGE_OUTPUT_TOKENS)).isEqualTo(12L);
    assertThat(span.getAttributes().get(GenAi.RESPONSE_FINISH_REASONS)).containsExactly("end_turn");
    assertThat(span.getParentSpanId()).isEqualTo(serverSpan().getSpanId());
  }

  @Test
  void clientCancelled_partialSpanNoErrorCountedApart() throws Exception {
    RelayServer s = relay();
    HttpRequest request = HttpRequest.newBuilder(URI.create(s.base + "/v1/messages"))
        .header("x-mock-hold", "never-" + System.nanoTime())
        .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build();
    try (var in = http.send(request, HttpResponse.BodyHandlers.ofInputStream()).body()) {
      assertThat(in.readNBytes(20)).hasSize(20); // message_start arrived; then the client leaves
    }
    SpanData span = chatSpans(1).get(0);
    assertThat(span.getAttributes().get(GenAi.OUTCOME)).isEqualTo("client_cancelled");
    assertThat(span.getAttributes().get(GenAi.PARTIAL)).isTrue();
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type"))).isNull();
    assertThat(span.getAttributes().get(GenAi.RESPONSE_ID)).isEqualTo("msg_01XFDUDYJgAACzvnptvVoYEL");
    assertThat(span.getParentSpanId()).isEqualTo(serverSpan().getSpanId());
    assertThat(exchanges("client_cancelled")).isEqualTo(1);
    assertThat(exchanges("completed")).isZero();
    assertThat(active()).isZero();
  }

  @Test
  void upstreamCut_partialSpanWithErrorType() throws Exception {
    RelayServer s = relay();
    post(s, STREAM, "x-mock-scenario", "abrupt_close", "x-mock-deltas", "20");
    SpanData span = chatSpans(1).get(0);
    assertThat(span.getAttributes().get(GenAi.OUTCOME)).isEqualTo("upstream_failed");
    assertThat(span.getAttributes().get(GenAi.PARTIAL)).isTrue();
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("upstream_failed");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(GenAi.RESPONSE_FINISH_REASONS)).isNull();
    assertThat(histogram(GenAi.OPERATION_DURATION, at -> true).getAttributes()
        .get(AttributeKey.stringKey("error.type"))).isEqualTo("upstream_failed");
  }

  @Test
  void upstreamErrorStatus_errorTypeIsTheStatus() throws Exception {
    RelayServer s = relay();
    assertThat(post(s, STREAM, "x-mock-scenario", "error_429").statusCode()).isEqualTo(429);
    SpanData span = chatSpans(1).get(0);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("429");
    assertThat(span.getAttributes().get(GenAi.OUTCOME)).isEqualTo("upstream_error");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(GenAi.USAGE_INPUT_TOKENS)).isNull();
  }

  @Test
  void refusedBeforeTheBody_stillASpanUnderTheServerSpan() throws Exception {
    RelayServer s = relay();
    String huge = STREAM.replace(PROMPT, "x".repeat(33 << 20));
    HttpResponse<String> r = post(s, huge);
    assertThat(r.statusCode()).isEqualTo(413);
    SpanData span = chatSpans(1).get(0);
    assertThat(span.getName()).isEqualTo("chat");
    assertThat(span.getParentSpanId()).isEqualTo(serverSpan().getSpanId());
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("413");
    assertThat(span.getAttributes().get(GenAi.OUTCOME)).isEqualTo("rejected");
    assertThat(active()).isZero();
  }

  /** Continues once after the first turn, as a server-side tool would. */
  static final class ContinueOnce implements Hook {
    @Override
    public List<ObjectNode> onTurn(TurnContext turn) {
      return turn.round() > 0 ? List.of() : List.of(
          JsonNodeFactory.instance.objectNode().put("role", "user").put("content", "continue"));
    }
  }

  @Test
  void followUp_eachTurnIsAChildSpanOfTheExchange() throws Exception {
    RelayServer s = relay(Map.of(), new OpenTelemetryHook(otel.getOpenTelemetry()),
        new ContinueOnce());
    assertThat(post(s, STREAM).statusCode()).isEqualTo(200);
    List<SpanData> chat = chatSpans(3);
    SpanData exchange = chat.stream().filter(x -> x.getAttributes().get(GenAi.ROUND) == null)
        .findFirst().orElseThrow();
    assertThat(exchange.getParentSpanId()).isEqualTo(serverSpan().getSpanId());
    assertThat(exchange.getAttributes().get(GenAi.FOLLOW_UPS)).isEqualTo(1L);
    assertThat(exchange.getAttributes().get(GenAi.USAGE_OUTPUT_TOKENS)).isEqualTo(24L);
    List<SpanData> turns = chat.stream().filter(x -> x != exchange)
        .sorted(java.util.Comparator.comparing(x -> x.getAttributes().get(GenAi.ROUND)))
        .collect(Collectors.toList());
    assertThat(turns).extracting(x -> x.getAttributes().get(GenAi.ROUND)).containsExactly(0L, 1L);
    for (SpanData turn : turns) {
      assertThat(turn.getName()).isEqualTo("chat claude-sonnet-4-5");
      assertThat(turn.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(turn.getParentSpanId()).isEqualTo(exchange.getSpanId());
      assertThat(turn.getAttributes().get(GenAi.USAGE_OUTPUT_TOKENS)).isEqualTo(12L);
      assertThat(turn.getAttributes().get(GenAi.RESPONSE_FINISH_REASONS))
          .containsExactly("end_turn");
      assertThat(turn.getStartEpochNanos()).isGreaterThanOrEqualTo(exchange.getStartEpochNanos());
      assertThat(turn.getEndEpochNanos()).isLessThanOrEqualTo(exchange.getEndEpochNanos());
      assertNoSecretNorContent(turn);
    }
    assertThat(turns.get(1).getStartEpochNanos())
        .isGreaterThanOrEqualTo(turns.get(0).getEndEpochNanos());
  }

  @Test
  void failover_attemptsOnTheSpan() throws Exception {
    RelayServer s = RelayServer.start(SluiceConfig.builder().upstreams(List.of(
            new UpstreamEntry(URI.create("http://127.0.0.1:1"), 0, 1, List.of()),
            new UpstreamEntry(mock.baseUri(), 1, 1, List.of()))),
        new ServerSpanFilter(otel.getOpenTelemetry().getTracer("test-server")), Map.of(),
        new OpenTelemetryHook(otel.getOpenTelemetry()));
    servers.add(s);
    assertThat(post(s, STREAM).statusCode()).isEqualTo(200);
    SpanData span = chatSpans(1).get(0);
    assertThat(span.getAttributes().get(GenAi.ATTEMPTS)).isEqualTo(2L);
    assertThat(span.getAttributes().get(GenAi.UPSTREAM)).isEqualTo("127.0.0.1:" + mock.port());
    assertThat(span.getAttributes().get(GenAi.OUTCOME)).isEqualTo("completed");
  }

  @Test
  void captureSetting_recordsMessagesButNeverTheKey() throws Exception {
    RelayServer s = relay(Map.of(OpenTelemetryHook.CAPTURE_CONTENT, "true"),
        new OpenTelemetryHook(otel.getOpenTelemetry()));
    assertThat(post(s, STREAM).statusCode()).isEqualTo(200);
    SpanData span = chatSpans(1).get(0);
    assertThat(span.getAttributes().get(GenAi.INPUT_MESSAGES)).contains(PROMPT);
    assertThat(span.getAttributes().get(GenAi.SYSTEM_INSTRUCTIONS)).isEqualTo("Be brief.");
    assertThat(span.getAttributes().get(GenAi.OUTPUT_MESSAGES)).contains("How can I help");
    span.getAttributes().forEach((k, v) -> assertThat(String.valueOf(v)).doesNotContain("sk-ant"));
  }

  @Test
  void discoveredHook_usesGlobalOpenTelemetry() throws Exception {
    // OpenTelemetryExtension registers its SDK as GlobalOpenTelemetry, as an app's
    // buildAndRegisterGlobal() or the Java agent does.
    RelayServer s = relay(Map.of(), new OpenTelemetryHook());
    assertThat(post(s, STREAM).statusCode()).isEqualTo(200);
    assertThat(chatSpans(1).get(0).getParentSpanId()).isEqualTo(serverSpan().getSpanId());
  }

  @Test
  void badCaptureSetting_failsStartNamingIt() {
    OpenTelemetryHook hook = new OpenTelemetryHook(otel.getOpenTelemetry());
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> hook.configure(name -> name.equals(OpenTelemetryHook.CAPTURE_CONTENT) ? "yes" : ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + OpenTelemetryHook.CAPTURE_CONTENT + "'");
  }

}
