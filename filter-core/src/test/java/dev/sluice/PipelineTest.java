package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.builtin.CostInUsageHook;
import dev.sluice.builtin.ModelAliasHook;
import dev.sluice.builtin.StripEmptyTextHook;
import dev.sluice.cost.Pricing;
import dev.sluice.hook.EventContext;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.Outcome;
import dev.sluice.hook.RequestContext;
import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hook pipeline end to end, in a real Jetty, against the mock upstream. */
class PipelineTest extends MockedJettyTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  static final String NON_STREAM = STREAM.replace("\"stream\":true,", "");

  // ---- the pipeline shapes itself ----

  @Test
  void noHooks_isAPureByteRelay_neverTouchingParserOrJson() throws Exception {
    Hook overridesNothing = new Hook() {
      @Override
      public String name() {
        return "placeholder";
      }
    };
    for (EmbeddedJetty j : List.of(jetty(), jetty(overridesNothing))) {
      long json = Json.USES.get();
      long stages = Stages.CREATED.get();
      for (String scenario : List.of("text", "tool_use", "crlf")) {
        assertThat(post(j.baseUri(), STREAM, "x-mock-scenario", scenario).body())
            .isEqualTo(MockUpstream.transcript(scenario));
      }
      assertThat(text(post(j.baseUri(), NON_STREAM))).contains("\"type\":\"message\"");
      assertThat(Json.USES.get()).as("JSON uses").isEqualTo(json);
      assertThat(Stages.CREATED.get()).as("pipelines built").isEqualTo(stages);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "long_text", "tool_use", "thinking", "citations",
      "server_tools", "multi_block", "unicode", "crlf"})
  void completeOnly_relaysBytesUntouched_andRecordsTheAssembledMessage(String scenario)
      throws Exception {
    RecordingHook recorder = new RecordingHook();
    EmbeddedJetty j = jetty(recorder);
    HttpResponse<byte[]> r = post(j.baseUri(), STREAM, "x-mock-scenario", scenario);
    assertThat(r.body()).isEqualTo(MockUpstream.transcript(scenario));
    ExchangeRecord record = recorder.next();
    JsonNode expected = JSON.readTree(MockUpstream.transcriptMessage(scenario));
    assertThat(record.message()).isEqualTo(expected);
    assertThat(record.usage()).isEqualTo(expected.get("usage"));
    assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(record.partial()).isFalse();
    assertThat(record.status()).isEqualTo(200);
    assertThat(record.requestId()).isEqualTo(mock.takeRequest(Duration.ofSeconds(5)).requestId());
    assertThat(record.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(record.stream()).isTrue();
    assertThat(record.timings().headersNanos()).isPositive();
    assertThat(record.timings().firstContentNanos())
        .isGreaterThanOrEqualTo(record.timings().firstByteNanos());
    assertThat(record.timings().endNanos()).isGreaterThanOrEqualTo(
        record.timings().firstContentNanos());
    assertThat(record.cost()).isEqualTo(Pricing.defaults().cost(
        expected.path("model").asText(), expected.get("usage")).orElseThrow().doubleValue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "long_text", "tool_use", "thinking", "citations",
      "server_tools", "multi_block", "unicode", "crlf", "mid_stream_error"})
  void legacyPipeline_sameBytesAndRecordsAsTheFastOne(String scenario) throws Exception {
    RecordingHook fast = new RecordingHook();
    RecordingHook slow = new RecordingHook();
    EmbeddedJetty quick = jetty(fast, new CostInUsageHook());
    EmbeddedJetty legacy = jetty(SluiceConfig.builder().upstream(mock.baseUri())
        .legacyPipeline(true).build(), slow, new CostInUsageHook());
    byte[] viaFast = post(quick.baseUri(), STREAM, "x-mock-scenario", scenario).body();
    byte[] viaLegacy = post(legacy.baseUri(), STREAM, "x-mock-scenario", scenario).body();
    assertThat(viaLegacy).isEqualTo(viaFast);
    ExchangeRecord a = fast.next();
    ExchangeRecord b = slow.next();
    assertThat(b.message()).isEqualTo(a.message());
    assertThat(b.usage()).isEqualTo(a.usage());
    assertThat(b.cost()).isEqualTo(a.cost());
    assertThat(b.outcome()).isEqualTo(a.outcome());
    assertThat(b.partial()).isEqualTo(a.partial());
    // the baseline re-serializes every request; the fast pipeline forwards it untouched
    List<RecordedRequest> seen = mock.requests();
    assertThat(seen.get(0).body()).isEqualTo(STREAM.getBytes(StandardCharsets.UTF_8));
    assertThat(JSON.readTree(seen.get(1).body())).isEqualTo(JSON.readTree(STREAM));
  }

  @Test
  void legacyPipeline_withNoHooks_stillRelaysTheSameBytes() throws Exception {
    EmbeddedJetty legacy = jetty(SluiceConfig.builder().upstream(mock.baseUri())
        .legacyPipeline(true).build());
    long stages = Stages.CREATED.get();
    assertThat(post(legacy.baseUri(), STREAM, "x-mock-scenario", "thinking").body())
        .isEqualTo(MockUpstream.transcript("thinking"));
    assertThat(Stages.CREATED.get()).isEqualTo(stages + 1);
  }

  @Test
  void completeOnly_nonStreaming_recordsTheMessage() throws Exception {
    RecordingHook recorder = new RecordingHook();
    EmbeddedJetty j = jetty(recorder);
    HttpResponse<byte[]> r = post(j.baseUri(), NON_STREAM, "x-mock-scenario", "tool_use");
    assertThat(r.body()).isEqualTo(MockUpstream.transcriptMessage("tool_use"));
    ExchangeRecord record = recorder.next();
    assertThat(record.message()).isEqualTo(JSON.readTree(r.body()));
    assertThat(record.stream()).isFalse();
  }

  @Test
  void records_tellOutcomes_andPartialMessages() throws Exception {
    RecordingHook recorder = new RecordingHook();
    EmbeddedJetty j = jetty(recorder);
    post(j.baseUri(), STREAM, "x-mock-scenario", "error_429");
    ExchangeRecord limited = recorder.next();
    assertThat(limited.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
    assertThat(limited.status()).isEqualTo(429);

    post(j.baseUri(), STREAM, "x-mock-scenario", "mid_stream_error");
    ExchangeRecord errored = recorder.next();
    assertThat(errored.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
    assertThat(errored.partial()).isTrue();
    assertThat(errored.message().path("content").get(0).path("text").asText()).isNotEmpty();

    post(j.baseUri(), STREAM, "x-mock-scenario", "abrupt_close", "x-mock-deltas", "20");
    ExchangeRecord cut = recorder.next();
    assertThat(cut.outcome()).isEqualTo(Outcome.UPSTREAM_FAILED);
    assertThat(cut.partial()).isTrue();
    assertThat(cut.usage().path("input_tokens").asInt()).isPositive();
  }

  /** Ended by Sluice's idle timeout, or by a client that left: partial, with the usage so far. */
  @Test
  void records_tellTimeoutsAndCancellations_withThePartialUsage() throws Exception {
    RecordingHook recorder = new RecordingHook();
    EmbeddedJetty j = jetty(SluiceConfig.builder().upstream(mock.baseUri())
        .idleTimeout(Duration.ofMillis(500)).keepaliveInterval(Duration.ofMillis(100)).build(),
        recorder);
    String stalled = text(post(j.baseUri(), STREAM, "x-mock-hold", "never-" + System.nanoTime()));
    assertThat(stalled).contains("event: error\n").contains("timeout_error");
    ExchangeRecord timedOut = recorder.next();
    assertThat(timedOut.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(timedOut.partial()).isTrue();
    assertThat(timedOut.usage().path("input_tokens").asInt()).isPositive();

    HttpRequest request = HttpRequest.newBuilder(URI.create(j.baseUri() + "/v1/messages"))
        .header("x-mock-hold", "never-" + System.nanoTime())
        .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build();
    var response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (var in = response.body()) {
      assertThat(in.readNBytes(20)).hasSize(20); // message_start arrived; then the client leaves
    }
    ExchangeRecord cancelled = recorder.next(); // noticed by the next keep-alive ping's write
    assertThat(cancelled.outcome()).isEqualTo(Outcome.CLIENT_CANCELLED);
    assertThat(cancelled.partial()).isTrue();
    assertThat(cancelled.usage().path("input_tokens").asInt()).isPositive();
    recorder.assertExhausted();
  }

  /** onResponseStart sees upstream's status and headers, read-only, and the request's facts. */
  @Test
  void responseStartHook_seesUpstreamsStatusAndHeaders() throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Hook probe = new Hook() {
      @Override
      public void onRequest(RequestContext r) {
        r.attributes().put("probe", "from-request");
      }

      @Override
      public void onResponseStart(dev.sluice.hook.ResponseContext r) {
        seen.add(r.status() + " " + r.headers().get("retry-after") + " "
            + (r.headers().get("request-id") != null) + " " + r.model() + " " + r.stream() + " "
            + r.attributes().get("probe"));
        try {
          r.headers().set("x-nope", "1");
          seen.add("headers were writable");
        } catch (UnsupportedOperationException | IllegalStateException expected) {
          // read-only, as documented
        }
      }
    };
    EmbeddedJetty j = jetty(probe);
    post(j.baseUri(), STREAM, "x-mock-scenario", "error_429");
    post(j.baseUri(), NON_STREAM, "x-mock-scenario", "text");
    assertThat(seen).containsExactly("429 7 true claude-sonnet-4-5 true from-request",
        "200  true claude-sonnet-4-5 false from-request"); // an absent header reads ""
  }

  // ---- event hooks ----

  @ParameterizedTest
  @ValueSource(strings = {"text", "tool_use", "thinking", "crlf", "unicode", "mid_stream_error"})
  void eventHookThatPasses_keepsEveryOriginalByte(String scenario) throws Exception {
    Hook reader = new Hook() {
      @Override
      public void onEvent(EventContext e) {
        e.event().type();
        e.event().json(); // looking is not changing
      }
    };
    EmbeddedJetty j = jetty(reader);
    assertThat(post(j.baseUri(), STREAM, "x-mock-scenario", scenario).body())
        .isEqualTo(MockUpstream.transcript(scenario));
  }

  @Test
  void eventHook_canReplaceDropAndInsert() throws Exception {
    Hook editor = new Hook() {
      @Override
      public void onEvent(EventContext e) {
        switch (e.event().name()) {
          case "ping":
            e.drop();
            break;
          case "message_start":
            e.insertAfter("notice", "{\"type\":\"notice\"}");
            break;
          case "content_block_delta":
            if (e.event().deltaType().equals("text_delta")) {
              ObjectNode json = e.event().json().deepCopy();
              json.with("delta").put("text", e.event().text().toUpperCase());
              e.replace(json);
            }
            break;
          default:
        }
      }
    };
    EmbeddedJetty j = jetty(editor);
    String body = text(post(j.baseUri(), STREAM, "x-mock-scenario", "text"));
    assertThat(body).doesNotContain("event: ping").contains(
        "event: message_start\n").contains("event: notice\ndata: {\"type\":\"notice\"}\n\n")
        .contains("\"text\":\"HELLO THERE!\"").endsWith("data: {\"type\":\"message_stop\"}\n\n");
    assertThat(body.indexOf("event: notice")).isGreaterThan(body.indexOf("message_start"));
  }

  @Test
  void throwingEventHook_neverBreaksTheStream() throws Exception {
    Hook broken = new Hook() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public void onEvent(EventContext e) {
        e.drop();
        throw new IllegalStateException("bug in plugin");
      }
    };
    EmbeddedJetty j = jetty(broken);
    assertThat(post(j.baseUri(), STREAM, "x-mock-scenario", "tool_use").body())
        .isEqualTo(MockUpstream.transcript("tool_use"));
  }

  /**
   * A hook that throws at the response-start, turn or complete point is logged and skipped: the
   * client still gets upstream's bytes, no follow-up is made, and the completion hooks after it
   * still get their record.
   */
  @Test
  void throwingResponseTurnAndCompleteHooks_neverBreakTheExchange() throws Exception {
    Hook broken = new Hook() {
      @Override
      public String name() {
        return "a-broken"; // sorts before "recording": its failure comes first
      }

      @Override
      public void onResponseStart(dev.sluice.hook.ResponseContext response) {
        throw new IllegalStateException("bug in plugin at response start");
      }

      @Override
      public List<ObjectNode> onTurn(dev.sluice.hook.TurnContext turn) {
        throw new IllegalStateException("bug in plugin at turn end");
      }

      @Override
      public void onComplete(ExchangeRecord record) {
        throw new IllegalStateException("bug in plugin at completion");
      }
    };
    RecordingHook recorder = new RecordingHook();
    EmbeddedJetty j = jetty(broken, recorder);
    for (String scenario : List.of("text", "tool_use")) {
      assertThat(post(j.baseUri(), STREAM, "x-mock-scenario", scenario).body()).as(scenario)
          .isEqualTo(MockUpstream.transcript(scenario));
      ExchangeRecord record = recorder.next();
      assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
      assertThat(record.partial()).isFalse();
    }
    assertThat(mock.requests()).hasSize(2); // no follow-up from the throwing onTurn
  }

  // ---- request hooks ----

  @Test
  void throwingRequestHook_failsClosed_unlessItFailsOpen() throws Exception {
    Hook closed = new Hook() {
      @Override
      public String name() {
        return "guardrail";
      }

      @Override
      public void onRequest(RequestContext r) {
        throw new IllegalStateException("cannot reach policy server");
      }
    };
    HttpResponse<byte[]> r = post(jetty(closed).baseUri(), STREAM);
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(text(r)).contains("\"type\":\"api_error\"").contains("guardrail");
    assertThat(mock.requests()).isEmpty();

    Hook open = new Hook() {
      @Override
      public void onRequest(RequestContext r) {
        throw new IllegalStateException("optional enrichment failed");
      }

      @Override
      public boolean failOpen() {
        return true;
      }
    };
    assertThat(post(jetty(open).baseUri(), STREAM).statusCode()).isEqualTo(200);
  }

  @Test
  void requestHook_canReject_withAnAnthropicError() throws Exception {
    RecordingHook recorder = new RecordingHook();
    Hook auth = new Hook() {
      @Override
      public void onRequest(RequestContext r) {
        if (r.headers().get("x-api-key").isEmpty()) {
          r.reject(403, "permission_error", "No key for " + r.model());
        }
      }
    };
    HttpResponse<byte[]> r = post(jetty(auth, recorder).baseUri(), STREAM);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("request-id")).isPresent();
    assertThat(JSON.readTree(r.body()).path("error").path("type").asText())
        .isEqualTo("permission_error");
    assertThat(text(r)).contains("No key for claude-sonnet-4-5");
    assertThat(mock.requests()).isEmpty();
    ExchangeRecord record = recorder.next();
    assertThat(record.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(record.requestId()).isEqualTo(r.headers().firstValue("request-id").get());
  }

  @Test
  void requestBody_parsedOnce_serializedOnce_evenWhenSeveralHooksEdit() throws Exception {
    Hook a = new Hook() {
      @Override
      public String name() {
        return "a";
      }

      @Override
      public void onRequest(RequestContext r) {
        r.editBody().put("max_tokens", 99);
        r.headers().set("x-added", "yes");
        r.attributes().put("seen", r.model());
      }
    };
    Hook b = new Hook() {
      @Override
      public String name() {
        return "b";
      }

      @Override
      public void onRequest(RequestContext r) {
        r.editBody().putObject("metadata").put("user_id", "u1");
      }
    };
    EmbeddedJetty j = jetty(a, b);
    long before = Json.USES.get();
    post(j.baseUri(), STREAM);
    assertThat(Json.USES.get() - before).as("one parse, one serialization").isEqualTo(2);
    RecordedRequest seen = mock.takeRequest(Duration.ofSeconds(5));
    JsonNode sent = JSON.readTree(seen.body());
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(99);
    assertThat(sent.path("metadata").path("user_id").asText()).isEqualTo("u1");
    assertThat(seen.header("x-added")).isEqualTo("yes");
  }

  // ---- built-ins through the pipeline ----

  @Test
  void record_keepsTheRequestedModel_evenWhenAHookRewroteOrRejectedIt() throws Exception {
    RecordingHook recorder = new RecordingHook();
    Hook rejectHaiku = new Hook() {
      @Override
      public String name() {
        return "z-reject";
      }

      @Override
      public void onRequest(RequestContext r) {
        if (r.body().path("max_tokens").asInt() == 1) {
          r.reject(400, "invalid_request_error", "no");
        }
      }
    };
    EmbeddedJetty j = jetty(new ModelAliasHook(Map.of("fast", "claude-haiku-4-5")), rejectHaiku,
        recorder);
    post(j.baseUri(), STREAM.replace("claude-sonnet-4-5", "fast"), "x-mock-scenario", "paced");
    ExchangeRecord aliased = recorder.next();
    assertThat(aliased.model()).isEqualTo("fast");
    assertThat(aliased.message().path("model").asText()).isEqualTo("claude-haiku-4-5");
    assertThat(aliased.stream()).isTrue();

    post(j.baseUri(), STREAM.replace("claude-sonnet-4-5", "fast").replace("64", "1"));
    ExchangeRecord rejected = recorder.next();
    assertThat(rejected.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(rejected.model()).isEqualTo("fast");
    assertThat(rejected.stream()).isTrue();
  }

  @Test
  void modelAlias_worksAlone_andWithOtherHooks() throws Exception {
    ModelAliasHook alias = new ModelAliasHook(Map.of("fast", "claude-haiku-4-5"));
    for (EmbeddedJetty j : List.of(jetty(alias), jetty(alias, new RecordingHook()))) {
      String body = text(post(j.baseUri(), STREAM.replace("claude-sonnet-4-5", "fast"),
          "x-mock-scenario", "paced", "x-mock-deltas", "3"));
      assertThat(JSON.readTree(mock.takeRequest(Duration.ofSeconds(5)).body()).path("model")
          .asText()).isEqualTo("claude-haiku-4-5");
      assertThat(body).contains("\"model\":\"fast\"").doesNotContain("claude-haiku-4-5");

      String json = text(post(j.baseUri(), NON_STREAM.replace("claude-sonnet-4-5", "fast"),
          "x-mock-scenario", "paced", "x-mock-deltas", "3"));
      mock.takeRequest(Duration.ofSeconds(5));
      assertThat(JSON.readTree(json).path("model").asText()).isEqualTo("fast");
    }
  }

  /**
   * An aliased request is rewritten by splicing the model into the client's bytes: one streaming
   * scan, no tree, no re-serialization, so escapes, number spellings and spacing that a JSON
   * round trip would normalize reach upstream as the client wrote them. A second hook that edits
   * the tree still gets one parse and one serialization, with both changes.
   */
  @Test
  void modelAlias_splicesTheModel_restOfTheBodyByteForByte() throws Exception {
    String client = "{ \"model\" : \"fast\", \"max_tokens\": 1.50e1, \"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"h\\u00e9 \\\"q\\\" \\/\"}]}  ";
    ModelAliasHook alias = new ModelAliasHook(Map.of("fast", "claude-haiku-\"4\"-5"));
    EmbeddedJetty j = jetty(alias, new RecordingHook());
    long before = Json.USES.get();
    var answered = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try { // upstream answers late, so the JSON uses counted below are the request's alone
        return post(j.baseUri(), client, "x-mock-scenario", "paced", "x-mock-deltas", "2",
            "x-mock-header-delay-ms", "300");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    byte[] sent = mock.takeRequest(Duration.ofSeconds(5)).body();
    assertThat(Json.USES.get() - before).as("one streaming scan of the request").isEqualTo(1);
    assertThat(new String(sent, StandardCharsets.UTF_8)).isEqualTo(
        client.replace("\"fast\"", "\"claude-haiku-\\\"4\\\"-5\""));
    assertThat(JSON.readTree(sent).path("model").asText()).isEqualTo("claude-haiku-\"4\"-5");
    assertThat(text(answered.get(10, java.util.concurrent.TimeUnit.SECONDS)))
        .contains("\"model\":\"fast\"");

    Hook editor = new Hook() {
      @Override
      public String name() {
        return "z-editor"; // runs after model-alias
      }

      @Override
      public void onRequest(RequestContext r) {
        assertThat(r.model()).isEqualTo("claude-haiku-\"4\"-5");
        r.editBody().put("max_tokens", 7);
      }
    };
    EmbeddedJetty both = jetty(alias, editor);
    post(both.baseUri(), client, "x-mock-scenario", "paced", "x-mock-deltas", "2");
    JsonNode edited = JSON.readTree(mock.takeRequest(Duration.ofSeconds(5)).body());
    assertThat(edited.path("model").asText()).isEqualTo("claude-haiku-\"4\"-5");
    assertThat(edited.path("max_tokens").asInt()).isEqualTo(7);
  }

  @Test
  void costInUsage_addsTheCostToMessageDelta_andToNonStreamingUsage() throws Exception {
    EmbeddedJetty j = jetty(new CostInUsageHook());
    String body = text(post(j.baseUri(), STREAM, "x-mock-scenario", "server_tools"));
    JsonNode start = null;
    JsonNode delta = null;
    for (String event : body.split("\n\n")) {
      String data = event.substring(event.indexOf("data: ") + 6);
      if (event.startsWith("event: message_start")) {
        start = JSON.readTree(data).path("message");
      } else if (event.startsWith("event: message_delta")) {
        delta = JSON.readTree(data);
      }
    }
    ObjectNode merged = ((ObjectNode) start.path("usage")).deepCopy();
    ObjectNode deltaUsage = ((ObjectNode) delta.path("usage")).deepCopy();
    java.math.BigDecimal cost = deltaUsage.remove("cost").decimalValue();
    merged.setAll(deltaUsage);
    assertThat(cost).isPositive()
        .isEqualByComparingTo(Pricing.defaults().cost(start.path("model").asText(), merged)
            .orElseThrow());

    JsonNode message = JSON.readTree(text(post(j.baseUri(), NON_STREAM, "x-mock-scenario",
        "text")));
    ObjectNode usage = ((ObjectNode) message.path("usage")).deepCopy();
    java.math.BigDecimal nonStreamingCost = usage.remove("cost").decimalValue();
    assertThat(nonStreamingCost).isEqualByComparingTo(Pricing.defaults().cost(
        message.path("model").asText(), usage).orElseThrow());
  }

  @Test
  void stripEmptyText_removesBlankBlocks_andNeverParsesCleanRequests() throws Exception {
    EmbeddedJetty j = jetty(new StripEmptyTextHook());
    String dirty = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"},"
        + "{\"type\":\"text\",\"text\":\"  \"}]},{\"role\":\"assistant\",\"content\":"
        + "[{\"type\":\"text\",\"text\":\"\"}]},{\"role\":\"user\",\"content\":\"go\"}]}";
    post(j.baseUri(), dirty);
    JsonNode sent = JSON.readTree(mock.takeRequest(Duration.ofSeconds(5)).body());
    assertThat(sent.path("messages")).hasSize(2);
    assertThat(sent.path("messages").get(0).path("content")).hasSize(1);

    long before = Json.USES.get();
    post(j.baseUri(), STREAM);
    assertThat(mock.takeRequest(Duration.ofSeconds(5)).body())
        .isEqualTo(STREAM.getBytes(StandardCharsets.UTF_8));
    assertThat(Json.USES.get()).isEqualTo(before);
  }

  // ---- agentic follow-ups ----

  /** Continues once after the first turn, like a server-side tool would. */
  static final class ContinueOnce implements Hook {
    final List<Integer> rounds = new ArrayList<>();

    @Override
    public List<ObjectNode> onTurn(dev.sluice.hook.TurnContext turn) {
      rounds.add(turn.round());
      if (turn.round() > 0) {
        return List.of();
      }
      ObjectNode user = JSON.createObjectNode().put("role", "user").put("content", "continue");
      return List.of(user);
    }
  }

  @Test
  void followUp_streamsTheNextTurnIntoTheSameMessage() throws Exception {
    ContinueOnce hook = new ContinueOnce();
    RecordingHook recorder = new RecordingHook();
    EmbeddedJetty j = jetty(hook, recorder);
    String body = text(post(j.baseUri(), STREAM, "x-mock-scenario", "tool_use"));
    assertThat(hook.rounds).containsExactly(0, 1);
    List<RecordedRequest> upstream = mock.requests();
    assertThat(upstream).hasSize(2);
    JsonNode second = JSON.readTree(upstream.get(1).body());
    assertThat(second.path("messages")).hasSize(3);
    assertThat(second.path("messages").get(1).path("role").asText()).isEqualTo("assistant");
    assertThat(second.path("messages").get(2).path("content").asText()).isEqualTo("continue");

    assertThat(count(body, "event: message_start\n")).isEqualTo(1);
    assertThat(count(body, "event: message_stop\n")).isEqualTo(1);
    assertThat(count(body, "event: message_delta\n")).isEqualTo(1);
    JsonNode transcript = JSON.readTree(MockUpstream.transcriptMessage("tool_use"));
    int blocks = transcript.path("content").size();
    for (int i = 0; i < 2 * blocks; i++) {
      assertThat(body).contains("\"type\":\"content_block_start\",\"index\":" + i + ",");
    }
    ExchangeRecord record = recorder.next();
    assertThat(record.message().path("content")).hasSize(2 * blocks);
    long out = transcript.path("usage").path("output_tokens").asLong();
    assertThat(record.usage().path("output_tokens").asLong()).isEqualTo(2 * out);
    assertThat(body).contains("\"output_tokens\":" + (2 * out));
  }

  @Test
  void followUps_stopAtMaxFollowUps() throws Exception {
    Hook forever = new Hook() {
      @Override
      public List<ObjectNode> onTurn(dev.sluice.hook.TurnContext turn) {
        return List.of(JSON.createObjectNode().put("role", "user").put("content", "more"));
      }
    };
    EmbeddedJetty j = jetty(SluiceConfig.builder().upstream(mock.baseUri()).maxFollowUps(2)
        .build(), forever);
    String body = text(post(j.baseUri(), STREAM, "x-mock-scenario", "text"));
    assertThat(mock.requests()).hasSize(3);
    assertThat(count(body, "event: message_stop\n")).isEqualTo(1);
  }

  /**
   * Without a follow-up hook the turn's end is not held back: everything up to message_stop,
   * message_delta included, reaches the client while upstream still holds message_stop. (One
   * mock segment of everything before message_stop, then the hold.)
   */
  @Test
  void noFollowUpHook_holdsNothingBack() throws Exception {
    byte[] transcript = MockUpstream.transcript("text");
    int stop = indexOf(transcript, "event: message_stop");
    assertThat(stop).isPositive();
    HeldBeforeStop held = heldBeforeStop(jetty(new RecordingHook()), stop);
    try (var in = held.body()) {
      byte[] head = readWithin(in, stop); // arrived while message_stop is held
      assertThat(new String(head, StandardCharsets.UTF_8)).contains("event: message_delta\n")
          .isEqualTo(new String(transcript, 0, stop, StandardCharsets.UTF_8));
      mock.release(held.name());
      assertThat(in.readAllBytes()).isEqualTo(
          java.util.Arrays.copyOfRange(transcript, stop, transcript.length));
    }
  }

  @Test
  void followUpHook_holdsBackTheTurnsEnd_untilItHasDecided() throws Exception {
    byte[] transcript = MockUpstream.transcript("text");
    int delta = indexOf(transcript, "event: message_delta");
    HeldBeforeStop held =
        heldBeforeStop(jetty(new ContinueOnce()), indexOf(transcript, "event: message_stop"));
    try (var in = held.body()) {
      assertThat(readWithin(in, delta)).isEqualTo(java.util.Arrays.copyOf(transcript, delta));
      mock.release(held.name());
      String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(rest).doesNotStartWith("event: message_delta") // held, then sent once, at the end
          .startsWith("event: content_block_start");
      assertThat(count(rest, "event: message_delta\n")).isEqualTo(1);
    }
  }

  /** A streamed "text" turn whose mock sends everything before byte {@code stop}, then holds. */
  record HeldBeforeStop(String name, java.io.InputStream body) {}

  private HeldBeforeStop heldBeforeStop(EmbeddedJetty j, int stop) throws Exception {
    String hold = "hold-" + System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(URI.create(j.baseUri() + "/v1/messages"))
        .header("x-mock-hold", hold).header("x-mock-chunk-bytes", String.valueOf(stop))
        .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build();
    return new HeldBeforeStop(hold,
        http.send(request, HttpResponse.BodyHandlers.ofInputStream()).body());
  }

  private static int indexOf(byte[] bytes, String text) {
    return new String(bytes, StandardCharsets.ISO_8859_1).indexOf(text);
  }

  /** Reads {@code n} bytes, failing if they do not all arrive within 10 s. */
  private static byte[] readWithin(java.io.InputStream in, int n) throws Exception {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return in.readNBytes(n);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  /**
   * The record's model and stream are what the client sent, read by one rule, whether or not a
   * request hook parsed the body (before, a string "true" recorded stream=false without such a
   * hook and true with one, and a numeric model "" and "5").
   */
  @Test
  void recordFacts_doNotDependOnWhetherARequestHookParsedTheBody() throws Exception {
    Hook parses = new Hook() {
      @Override
      public String name() {
        return "parses";
      }

      @Override
      public void onRequest(RequestContext r) {
        r.body();
      }
    };
    String[] bodies = {
        STREAM.replace("\"stream\":true", "\"stream\":\"true\""),
        STREAM.replace("\"model\":\"claude-sonnet-4-5\"", "\"model\":5"),
        STREAM.replace("\"stream\":true", "\"stream\":false,\"model\":\"claude-haiku-4-5\","
            + "\"stream\":true"),
    };
    RecordingHook alone = new RecordingHook();
    RecordingHook withParser = new RecordingHook();
    EmbeddedJetty scanning = jetty(alone);
    EmbeddedJetty parsing = jetty(parses, withParser);
    for (String body : bodies) {
      post(scanning.baseUri(), body);
      post(parsing.baseUri(), body);
      ExchangeRecord scanned = alone.next();
      ExchangeRecord parsed = withParser.next();
      assertThat(parsed.model()).as(body).isEqualTo(scanned.model());
      assertThat(parsed.stream()).as(body).isEqualTo(scanned.stream());
    }
  }
}
