package dev.sluice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The golden transcripts under {@code /transcripts}: {@code <case>.sse} is served byte for byte
 * when streaming, {@code <case>.json} (the assembled Message) when not. Loaded once, on first use.
 */
final class Transcripts {

  static final List<String> CASES =
      List.of(
          "text",
          "long_text",
          "tool_use",
          "thinking",
          "citations",
          "server_tools",
          "multi_block",
          "unicode",
          "crlf",
          "mid_stream_error");

  /** The non-streaming form of a mid-stream error is the error itself, with its usual status. */
  private static final Map<String, Integer> JSON_STATUS = Map.of("mid_stream_error", 529);

  private static final Map<String, EncodedStream> STREAMS = new ConcurrentHashMap<>();
  private static final Map<String, byte[]> MESSAGES = new ConcurrentHashMap<>();

  private Transcripts() {}

  static boolean isCase(String name) {
    return CASES.contains(name);
  }

  static EncodedStream stream(String name) {
    return STREAMS.computeIfAbsent(name, n -> EncodedStream.split(load(n + ".sse")));
  }

  static byte[] message(String name) {
    return MESSAGES.computeIfAbsent(name, n -> load(n + ".json"));
  }

  static int messageStatus(String name) {
    return JSON_STATUS.getOrDefault(name, 200);
  }

  static Payload payload(String name, boolean streaming) {
    if (streaming) {
      return Payload.stream(stream(name));
    }
    return Payload.json(messageStatus(name), message(name));
  }

  private static byte[] load(String file) {
    try (InputStream in = Transcripts.class.getResourceAsStream("/transcripts/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing resource /transcripts/" + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
