package dev.sluice.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonNumber;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The container with hooks on: the built-ins {@code usage-log}, {@code cost-in-usage} and {@code
 * model-alias} from filter-core, and {@code blocked-words} from the separate sample plugin jar
 * (found by ServiceLoader through the web app's class loader; its {@code onRequest} is inherited
 * from an abstract base class). The official SDK and a raw HTTP client check what each hook
 * changes, and that nothing else changes. A container module extends this class, supplies only
 * {@link #start} (its web app must carry {@code sample-plugin}), and declares {@code
 * com.anthropic:anthropic-java} (test scope). The {@code usage-log} line is checked on the runnable
 * jar's output, in {@link ShadedJarContract}.
 */
public abstract class HooksContract extends ContainerSuite {
  public static final String HOOKS = "usage-log,cost-in-usage,model-alias,blocked-words";
  public static final String ALIAS = "claude-fast";
  public static final String ALIASED = "claude-haiku-4-5";
  /** Has a price, and is no alias: model-alias leaves these exchanges alone. */
  static final String PLAIN = "claude-sonnet-4-5";
  /**
   * Claude Sonnet 4.5's list price, USD per input and per output token. testkit cannot use
   * filter-core's {@code Pricing} (filter-core's tests depend on testkit), so the expected cost is
   * worked out here, independently of the table the filter ships; the transcripts priced here
   * have no cache tokens.
   */
  static final double SONNET_INPUT = 3e-6;
  static final double SONNET_OUTPUT = 15e-6;
  static final Duration TAKE = Duration.ofSeconds(5);
  static final ObjectMapper JSON = new ObjectMapper();

  protected AnthropicClient viaSluice;
  protected AnthropicClient direct;

  @Override
  Map<String, String> defaultSettings() {
    return Map.of("hooks", HOOKS, "model-aliases", ALIAS + "=" + ALIASED);
  }

  @BeforeAll
  void startClients() {
    viaSluice = SdkContract.client(app.baseUri());
    direct = SdkContract.client(mock.baseUri());
  }

  @AfterAll
  void stopClients() {
    if (viaSluice != null) viaSluice.close();
    if (direct != null) direct.close();
  }

  static MessageCreateParams params(String model, String scenario) {
    return params(model, scenario, "Hi");
  }

  static MessageCreateParams params(String model, String scenario, String text) {
    return MessageCreateParams.builder()
        .model(model)
        .maxTokens(1024)
        .addUserMessage(text)
        .putAdditionalHeader("x-mock-scenario", scenario)
        .build();
  }

  /** The streamed events, and the message the SDK's accumulator builds from them. */
  record Streamed(List<RawMessageStreamEvent> events, Message message) {}

  static Streamed stream(AnthropicClient client, MessageCreateParams params) {
    MessageAccumulator accumulator = MessageAccumulator.create();
    List<RawMessageStreamEvent> events = new ArrayList<>();
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
      stream.stream().forEach(e -> events.add(accumulator.accumulate(e)));
    }
    return new Streamed(events, accumulator.message());
  }

  /** {@code message} as if upstream had answered with {@code model}. */
  static Message withModel(Message message, Message modelFrom) {
    return message.toBuilder().model(modelFrom.model()).build();
  }

  /** The body upstream received, as a tree. */
  static ObjectNode upstreamBody(RecordedRequest request) throws Exception {
    return (ObjectNode) JSON.readTree(request.body());
  }

  // ---------------------------------------------------------------- model-alias, through the SDK

  @ParameterizedTest
  @ValueSource(strings = {"text", "tool_use", "thinking"})
  protected void sdkStream_alias_upstreamGetsTargetModel_clientSeesAlias(String scenario)
      throws Exception {
    Streamed viaSluiceResult = stream(viaSluice, params(ALIAS, scenario));
    ObjectNode sent = upstreamBody(mock.takeRequest(TAKE));
    Streamed directResult = stream(direct, params(ALIAS, scenario));
    ObjectNode sentDirect = upstreamBody(mock.takeRequest(TAKE));

    assertThat(sent.path("model").asText()).isEqualTo(ALIASED);
    // Only the model was rewritten: the rest of the request is what the SDK sent.
    assertThat(sent.put("model", ALIAS)).isEqualTo(sentDirect);

    Message actual = viaSluiceResult.message();
    Message expected = directResult.message();
    assertThat(actual.model().asString()).isEqualTo(ALIAS);
    assertThat(expected.model().asString()).isNotEqualTo(ALIAS); // the mock's own model
    assertThat(withModel(actual, expected)).isEqualTo(expected);
    assertThat(actual.content()).isNotEmpty();
  }

  @Test
  protected void sdkCreate_alias_upstreamGetsTargetModel_clientSeesAlias() throws Exception {
    Message actual = viaSluice.messages().create(params(ALIAS, "text"));
    ObjectNode sent = upstreamBody(mock.takeRequest(TAKE));
    Message expected = direct.messages().create(params(ALIAS, "text"));
    ObjectNode sentDirect = upstreamBody(mock.takeRequest(TAKE));

    assertThat(sent.path("model").asText()).isEqualTo(ALIASED);
    assertThat(sent.put("model", ALIAS)).isEqualTo(sentDirect);

    assertThat(actual.model().asString()).isEqualTo(ALIAS);
    // cost-in-usage also added usage.cost, which the SDK keeps as an additional property.
    double cost = sdkCost(actual.usage()._additionalProperties());
    JsonNode message = JSON.readTree(MockUpstream.transcriptMessage("text"));
    assertThat(message.path("model").asText()).startsWith(PLAIN);
    assertThat(cost).isCloseTo(expectedSonnetCost(message.path("usage")), within(1e-12));
    Message withoutHooks =
        withModel(actual, expected).toBuilder()
            .usage(actual.usage().toBuilder().removeAdditionalProperty("cost").build())
            .build();
    assertThat(withoutHooks).isEqualTo(expected);
  }

  // ------------------------------------------- every hook on: the SDK still streams what upstream sent

  @ParameterizedTest
  @ValueSource(strings = {"text", "tool_use", "thinking"})
  protected void sdkStream_allHooksOn_sameMessageAsDirect(String scenario) {
    Streamed actual = stream(viaSluice, params(PLAIN, scenario));
    Streamed expected = stream(direct, params(PLAIN, scenario));

    // The accumulator keeps known usage fields only, so the added cost does not show here...
    assertThat(actual.message()).isEqualTo(expected.message());
    assertThat(actual.message().content()).isNotEmpty();
    // ...but the SDK does see it on the message_delta event.
    List<RawMessageStreamEvent> deltas =
        actual.events().stream().filter(RawMessageStreamEvent::isMessageDelta).toList();
    assertThat(deltas).hasSize(1);
    assertThat(sdkCost(deltas.get(0).asMessageDelta().usage()._additionalProperties())).isPositive();
    assertThat(actual.events()).hasSameSizeAs(expected.events());
  }

  static double sdkCost(Map<String, JsonValue> additional) {
    assertThat(additional).containsKey("cost");
    JsonValue cost = additional.get("cost");
    assertThat(cost).isInstanceOf(JsonNumber.class);
    return ((JsonNumber) cost).value().doubleValue();
  }

  /**
   * What cost-in-usage must put in a response of Claude Sonnet 4.5 with this {@code usage} (the
   * non-streaming message's, or message_start's overlaid with message_delta's).
   */
  static double expectedSonnetCost(JsonNode usage) {
    for (String cache : List.of("cache_creation_input_tokens", "cache_read_input_tokens")) {
      assertThat(usage.path(cache).asLong()).as(cache + " (not priced here)").isZero();
    }
    return usage.path("input_tokens").asLong() * SONNET_INPUT
        + usage.path("output_tokens").asLong() * SONNET_OUTPUT;
  }

  // --------------------------------------------------------- cost-in-usage, byte level, java.net.http

  @Test
  protected void costInUsage_onlyMessageDeltaChanges_andCarriesThePrice() throws Exception {
    String body = streamBody(PLAIN, "Hi");
    List<byte[]> proxied = events(postBytes(app.baseUri(), body, "text"));
    List<byte[]> directEvents = events(postBytes(mock.baseUri(), body, "text"));

    assertThat(proxied).hasSameSizeAs(directEvents);
    JsonNode startUsage = null;
    int deltas = 0;
    for (int i = 0; i < directEvents.size(); i++) {
      String expected = utf8(directEvents.get(i));
      String actual = utf8(proxied.get(i));
      if (!actual.startsWith("event: message_delta\n")) {
        assertThat(actual).as("event %d", i).isEqualTo(expected);
        if (actual.startsWith("event: message_start\n")) {
          startUsage = data(actual).path("message").path("usage");
        }
        continue;
      }
      deltas++;
      ObjectNode delta = data(actual);
      ObjectNode usage = (ObjectNode) delta.path("usage");
      assertThat(usage.path("cost").isNumber()).as("usage.cost in %s", actual).isTrue();
      double cost = usage.path("cost").asDouble();
      usage.remove("cost");
      // Apart from the cost, the same event (re-serialized: compare trees, not bytes).
      assertThat(delta).isEqualTo(data(expected));

      assertThat(startUsage).as("message_start before message_delta").isNotNull();
      ObjectNode merged = startUsage.deepCopy();
      merged.setAll(usage);
      assertThat(cost).isPositive().isCloseTo(expectedSonnetCost(merged), within(1e-12));
      // input 11 x $3/M (message_start) + output 12 x $15/M (the delta's count, not the start's 1).
      assertThat(cost).isCloseTo(11 * 3e-6 + 12 * 15e-6, within(1e-12));
    }
    assertThat(deltas).isEqualTo(1);
  }

  @Test
  protected void modelAlias_rawStream_onlyMessageStartModelAndDeltaCostDiffer() throws Exception {
    List<byte[]> proxied = events(postBytes(app.baseUri(), streamBody(ALIAS, "Hi"), "tool_use"));
    List<byte[]> directEvents =
        events(postBytes(mock.baseUri(), streamBody(ALIAS, "Hi"), "tool_use"));

    assertThat(proxied).hasSameSizeAs(directEvents);
    for (int i = 0; i < directEvents.size(); i++) {
      String expected = utf8(directEvents.get(i));
      String actual = utf8(proxied.get(i));
      if (actual.startsWith("event: message_start\n")) {
        ObjectNode start = data(actual);
        assertThat(start.path("message").path("model").asText()).isEqualTo(ALIAS);
        ObjectNode original = data(expected);
        ((ObjectNode) original.path("message")).put("model", ALIAS);
        assertThat(start).isEqualTo(original);
      } else if (actual.startsWith("event: message_delta\n")) {
        ObjectNode delta = data(actual);
        ((ObjectNode) delta.path("usage")).remove("cost");
        assertThat(delta).isEqualTo(data(expected));
      } else {
        assertThat(actual).as("event %d", i).isEqualTo(expected);
      }
    }
  }

  // ------------------------------------------------------------------- blocked-words (plugin jar)

  @Test
  protected void blockedWords_rejectedWith400_andNothingReachesUpstream() throws Exception {
    HttpResponse<String> rejected =
        http.send(post(app.baseUri(), streamBody(PLAIN, "please say forbidden-word"), "text"),
            HttpResponse.BodyHandlers.ofString());

    assertThat(rejected.statusCode()).isEqualTo(400);
    assertThat(rejected.headers().firstValue("content-type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/json"));
    assertThat(rejected.headers().firstValue("request-id")).hasValueSatisfying(
        id -> assertThat(id).isNotBlank());
    JsonNode error = JSON.readTree(rejected.body());
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.path("error").path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("error").path("message").asText())
        .isEqualTo("Request blocked by policy: it contains 'forbidden-word'");
    assertThat(error.path("request_id").asText())
        .isEqualTo(rejected.headers().firstValue("request-id").orElseThrow());

    // A clean request afterwards is the first, and only, one the mock sees.
    HttpResponse<String> clean =
        http.send(post(app.baseUri(), streamBody(PLAIN, "Hi"), "text"),
            HttpResponse.BodyHandlers.ofString());
    assertThat(clean.statusCode()).isEqualTo(200);
    assertThat(mock.takeRequest(TAKE).bodyAsString()).doesNotContain("forbidden-word");
    assertThat(mock.requests()).hasSize(1);
  }

  @Test
  protected void blockedWords_throughTheSdk_isABadRequestWithRequestId() {
    BadRequestException streamed =
        catchThrowableOfType(BadRequestException.class,
            () -> stream(viaSluice, params(PLAIN, "text", "a FORBIDDEN-WORD, upper case")));
    BadRequestException created =
        catchThrowableOfType(BadRequestException.class,
            () -> viaSluice.messages().create(params(ALIAS, "text", "forbidden-word")));

    for (BadRequestException e : List.of(streamed, created)) {
      assertThat(e).isNotNull();
      assertThat(e.statusCode()).isEqualTo(400);
      assertThat(e.requestId()).hasValueSatisfying(id -> assertThat(id).isNotBlank());
      assertThat(e.getMessage()).contains("Request blocked by policy: it contains 'forbidden-word'");
    }
    assertThat(mock.requests()).isEmpty();
  }

  @Test
  protected void blockedWords_otherPathsOfTheAppAreNotGuarded() throws Exception {
    // The filter (and so every hook) only takes /v1/messages; the app's own servlet gets the body.
    HttpResponse<String> own =
        http.send(post(URI.create(app.baseUri() + app.appPath()), "{\"x\":\"forbidden-word\"}"),
            HttpResponse.BodyHandlers.ofString());

    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).contains("\"method\":\"POST\"");
  }

  // ------------------------------------------------------------------------------ discovery

  @Test
  protected void unknownHookName_failsStart_listingEveryDiscoveredHook() {
    IllegalStateException e =
        catchThrowableOfType(IllegalStateException.class,
            () -> start(mock.baseUri(), Map.of("hooks", "usage-log,no-such-hook")).close());

    assertThat(e).isNotNull();
    Throwable root = e;
    while (root.getCause() != null) root = root.getCause();
    assertThat(root)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid Sluice setting 'hooks': no hook named 'no-such-hook'")
        .hasMessageContainingAll("usage-log", "cost-in-usage", "model-alias", "strip-empty-text",
            "blocked-words");
  }

  // --------------------------------------------------------------------------------- helpers

  static String streamBody(String model, String text) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":1024,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
  }

  static HttpRequest post(URI base, String body, String scenario) {
    return HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .header("anthropic-version", "2023-06-01")
        .header("x-api-key", "sk-test")
        .header("x-mock-scenario", scenario)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  static HttpRequest post(URI uri, String body) {
    return HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  byte[] postBytes(URI base, String body, String scenario) throws Exception {
    HttpResponse<byte[]> response =
        http.send(post(base, body, scenario), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as(utf8(response.body())).isEqualTo(200);
    return response.body();
  }

  /** Splits an LF-only SSE stream into its events, each with its closing blank line. */
  static List<byte[]> events(byte[] stream) {
    List<byte[]> events = new ArrayList<>();
    int start = 0;
    for (int i = 0; i + 1 < stream.length; i++) {
      if (stream[i] == '\n' && stream[i + 1] == '\n') {
        events.add(Arrays.copyOfRange(stream, start, i + 2));
        start = i + 2;
        i++;
      }
    }
    assertThat(start).as("stream ends with a complete event").isEqualTo(stream.length);
    return events;
  }

  /** The JSON of an event's single {@code data:} line. */
  static ObjectNode data(String event) throws Exception {
    for (String line : event.split("\n")) {
      if (line.startsWith("data:")) return (ObjectNode) JSON.readTree(line.substring(5));
    }
    throw new AssertionError("no data line in " + event);
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
