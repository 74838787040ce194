package dev.sluice.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonObject;
import com.anthropic.core.JsonString;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageTokensCount;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlock;
import dev.sluice.testkit.RecordedRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official Java SDK ({@code anthropic-java}), pointed once at the container and once straight
 * at the mock, sees the same thing: Sluice is invisible to it. A container module extends this
 * class, supplies only {@link #start}, and declares {@code com.anthropic:anthropic-java} (test
 * scope): testkit's dependency on it is optional.
 */
public abstract class SdkContract extends ContainerSuite {
  public static final String MODEL = "claude-sonnet-4-5";

  protected AnthropicClient viaSluice;
  protected AnthropicClient direct;

  @BeforeAll
  void startClients() {
    viaSluice = client(app.baseUri());
    direct = client(mock.baseUri());
  }

  @AfterAll
  void stopClients() {
    if (viaSluice != null) viaSluice.close();
    if (direct != null) direct.close();
  }

  /** A client of {@code baseUri} (the SDK keeps its path) that never retries. */
  public static AnthropicClient client(URI baseUri) {
    return AnthropicOkHttpClient.builder()
        .baseUrl(baseUri.toString())
        .apiKey("sk-test")
        .maxRetries(0)
        .build();
  }

  /** A request for {@code scenario} (the mock's {@code x-mock-scenario}). */
  public static MessageCreateParams params(String scenario) {
    return MessageCreateParams.builder()
        .model(MODEL)
        .maxTokens(1024)
        .addUserMessage("Hi")
        .putAdditionalHeader("x-mock-scenario", scenario)
        .build();
  }

  /** Streams {@code scenario} and returns the message the SDK's accumulator builds. */
  public static Message stream(AnthropicClient client, String scenario) {
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> events =
        client.messages().createStreaming(params(scenario))) {
      events.stream().forEach(accumulator::accumulate);
    }
    return accumulator.message();
  }

  /**
   * Streams {@code scenario} with the SDK through {@code viaSluice} and straight from {@code
   * upstream}, and checks that both give the same, non-empty message: for a container module's
   * own suite that cannot extend this class.
   */
  public static void assertStreamsSameAsDirect(URI viaSluice, URI upstream, String scenario) {
    AnthropicClient via = client(viaSluice);
    AnthropicClient direct = client(upstream);
    try {
      Message expected = stream(direct, scenario);
      Message actual = stream(via, scenario);

      assertThat(actual).isEqualTo(expected);
      assertThat(actual.content()).isNotEmpty();
    } finally {
      via.close();
      direct.close();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"text", "tool_use", "thinking", "citations", "unicode", "multi_block",
          "server_tools"})
  protected void streamedMessage_sameAsDirect(String scenario) {
    Message expected = stream(direct, scenario);
    Message actual = stream(viaSluice, scenario);

    assertThat(actual).isEqualTo(expected);
    assertThat(actual.content()).isNotEmpty();
  }

  @Test
  protected void streamedText_hasText() {
    Message message = stream(viaSluice, "text");

    assertThat(text(message)).isNotBlank();
  }

  @Test
  protected void streamedResponse_carriesUpstreamRequestIdAndHeaders() throws Exception {
    mock.reset();
    try (HttpResponseFor<StreamResponse<RawMessageStreamEvent>> raw =
        viaSluice.messages().withRawResponse().createStreaming(params("text"))) {
      try (StreamResponse<RawMessageStreamEvent> events = raw.parse()) {
        assertThat(events.stream().count()).isPositive();
      }
      RecordedRequest upstream = mock.takeRequest(Duration.ofSeconds(5));

      assertThat(raw.statusCode()).isEqualTo(200);
      assertThat(raw.requestId()).hasValue(upstream.requestId());
      assertThat(raw.headers().values("content-type")).singleElement().asString()
          .startsWith("text/event-stream");
      assertThat(upstream.header("authorization")).isEqualTo("Bearer sk-test");
    }
  }

  @Test
  protected void create_sameAsDirect() {
    Message expected = direct.messages().create(params("text"));
    Message actual = viaSluice.messages().create(params("text"));

    assertThat(actual).isEqualTo(expected);
    assertThat(text(actual)).isNotBlank();
  }

  @Test
  protected void countTokens_sameAsDirect() {
    MessageCountTokensParams params =
        MessageCountTokensParams.builder().model(MODEL).addUserMessage("Hi").build();

    MessageTokensCount expected = direct.messages().countTokens(params);
    MessageTokensCount actual = viaSluice.messages().countTokens(params);

    assertThat(actual).isEqualTo(expected);
    assertThat(actual.inputTokens()).isPositive();
  }

  @Test
  protected void rateLimited_sameExceptionAndHeadersAsDirect() throws Exception {
    RateLimitException expected = rateLimited(direct);
    RateLimitException actual = rateLimited(viaSluice);
    // The mock numbers its request ids, so each call has its own: check that the one the SDK
    // reports through Sluice is the one the upstream issued, in the header and in the body.
    String upstreamRequestId = mock.takeRequest(Duration.ofSeconds(5)).requestId();

    assertThat(actual.statusCode()).isEqualTo(429);
    assertThat(actual.requestId()).hasValue(upstreamRequestId);
    assertThat(bodyRequestId(actual)).hasValue(upstreamRequestId);
    assertThat(actual.type()).isPresent().isEqualTo(expected.type());
    assertThat(actual.apiMessage()).isPresent().isEqualTo(expected.apiMessage());
    for (String name :
        List.of("retry-after", "x-should-retry", "content-type", "anthropic-organization-id",
            "anthropic-ratelimit-requests-limit", "anthropic-ratelimit-tokens-remaining")) {
      assertThat(actual.headers().values(name)).as(name).isEqualTo(expected.headers().values(name));
    }
    assertThat(actual.headers().values("retry-after")).isNotEmpty();
  }

  /** Calls {@code error_429}, after forgetting the mock's earlier requests. */
  private RateLimitException rateLimited(AnthropicClient client) {
    mock.reset();
    return catchThrowableOfType(
        RateLimitException.class, () -> client.messages().create(params("error_429")));
  }

  @Test
  protected void midStreamError_sameEventsThenSameException() {
    Failure expected = streamUntilFailure(direct, "mid_stream_error");
    Failure actual = streamUntilFailure(viaSluice, "mid_stream_error");

    assertThat(expected.error()).as("direct").isNotNull();
    assertThat(actual.error()).as("via Sluice").isNotNull();
    assertThat(actual.error().getClass()).isEqualTo(expected.error().getClass());
    assertThat(actual.events()).isNotEmpty().isEqualTo(expected.events());
    if (expected.error() instanceof AnthropicServiceException) {
      AnthropicServiceException e = (AnthropicServiceException) expected.error();
      AnthropicServiceException a = (AnthropicServiceException) actual.error();
      assertThat(a.statusCode()).isEqualTo(e.statusCode());
      assertThat(a.body()).isEqualTo(e.body());
    }
  }

  /** The events the SDK yielded before it threw, and what it threw. */
  private record Failure(List<RawMessageStreamEvent> events, RuntimeException error) {}

  private static Failure streamUntilFailure(AnthropicClient client, String scenario) {
    List<RawMessageStreamEvent> events = new ArrayList<>();
    try (StreamResponse<RawMessageStreamEvent> stream =
        client.messages().createStreaming(params(scenario))) {
      stream.stream().forEach(events::add);
    } catch (RuntimeException e) {
      return new Failure(events, e);
    }
    return new Failure(events, null);
  }

  private static Optional<String> bodyRequestId(AnthropicServiceException e) {
    // JsonValue extends JsonField<Nothing>, which Java sees as raw: match the subtypes instead.
    if (e.body() instanceof JsonObject body
        && body.values().get("request_id") instanceof JsonString id) {
      return Optional.of(id.value());
    }
    return Optional.empty();
  }

  private static String text(Message message) {
    return message.content().stream()
        .map(ContentBlock::text)
        .flatMap(Optional::stream)
        .map(TextBlock::text)
        .collect(Collectors.joining());
  }
}
