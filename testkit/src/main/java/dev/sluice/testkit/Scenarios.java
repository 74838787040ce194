package dev.sluice.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

/** Maps {@code x-mock-scenario} (plus the shaping knobs) to the payload to send. */
final class Scenarios {
  static final String DEFAULT_MODEL = "claude-sonnet-4-5-20250929";

  private Scenarios() {}

  static Payload messages(Knobs knobs, boolean streaming, String model, String requestId) {
    String scenario = knobs.scenario();
    if (Transcripts.isCase(scenario)) {
      return Transcripts.payload(scenario, streaming);
    }
    if (ErrorBodies.isScenario(scenario)) {
      return ErrorBodies.scenario(scenario, requestId);
    }
    String m = model == null ? DEFAULT_MODEL : model;
    switch (scenario) {
      case "paced":
        return generated(m, knobs.deltas(), GeneratedStreams.PACED_TEXT, streaming);
      case "bulk":
        return generated(
            m, knobs.deltas(), GeneratedStreams.bulkText(knobs.deltaBytes()), streaming);
      case "malformed_sse":
        return Payload.stream(GeneratedStreams.malformed(m));
      case "invalid_utf8":
        return Payload.stream(GeneratedStreams.invalidUtf8(m));
      case "overload_before_content":
        return Payload.stream(GeneratedStreams.overloadBeforeContent(m));
      case "overload_before_content_held":
        return Payload.stream(GeneratedStreams.overloadBeforeContent(m)).hanging();
      case "abrupt_close":
        Payload whole = generated(m, knobs.deltas(), GeneratedStreams.PACED_TEXT, streaming);
        return streaming
            ? whole.truncatedAfterEvents(whole.eventEnds().length / 2)
            : whole.truncatedAt(whole.bytes().length / 2);
      default:
        throw new MockRequestException(
            400, "invalid_request_error", "unknown x-mock-scenario: " + scenario);
    }
  }

  /** count_tokens honours only the error scenarios; anything else counts the body. */
  static Payload countTokens(Knobs knobs, int bodyLength, String requestId) {
    if (ErrorBodies.isScenario(knobs.scenario())) {
      return ErrorBodies.scenario(knobs.scenario(), requestId);
    }
    int tokens = Math.max(1, bodyLength / 4);
    return Payload.json(200, ("{\"input_tokens\":" + tokens + "}").getBytes(UTF_8));
  }

  private static Payload generated(String model, int deltas, String text, boolean streaming) {
    if (streaming) {
      return Payload.stream(GeneratedStreams.stream(model, deltas, text));
    }
    return Payload.json(200, GeneratedStreams.message(model, deltas, text));
  }
}
