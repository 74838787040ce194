package dev.sluice.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sse.SseFrame;
import dev.sluice.sse.SseParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Holds the start of a 200 event stream until its first content event. The held buffers are
 * the ones upstream sent, untouched: a side parser reads duplicates of them, and only until a
 * verdict.
 */
final class Gate {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** In-stream errors before any content that another attempt may not see. */
  static final Set<String> RETRYABLE_ERRORS = Set.of("overloaded_error", "api_error");

  enum Verdict {
    /** Nothing decided yet: read on. */
    MORE,
    /** Content started, the message ended, or the hold is full: relay what is held. */
    RELAY,
    /** An error event of a type worth another attempt: {@link #errorType()}. */
    RETRYABLE_ERROR
  }

  private final long maxBytes;
  private final List<ByteBuffer> held = new ArrayList<>();
  private final SseParser parser = SseParser.create(this::onEvent);
  private long bytes;
  private boolean relay;
  private String errorType = "";

  Gate(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  Verdict add(List<ByteBuffer> data) {
    for (ByteBuffer b : data) {
      held.add(b);
      bytes += b.remaining();
      if (!relay && errorType.isEmpty()) {
        parser.feed(b.duplicate());
      }
    }
    if (!errorType.isEmpty()) {
      return RETRYABLE_ERRORS.contains(errorType) ? Verdict.RETRYABLE_ERROR : Verdict.RELAY;
    }
    return relay || bytes >= maxBytes ? Verdict.RELAY : Verdict.MORE;
  }

  /** The held buffers, in order, as upstream sent them. */
  List<ByteBuffer> held() {
    return held;
  }

  String errorType() {
    return errorType;
  }

  private void onEvent(SseFrame frame) {
    if (relay || !errorType.isEmpty()) {
      return;
    }
    switch (frame.name()) {
      case "content_block_start":
      case "content_block_delta":
      case "message_delta":
      case "message_stop":
        relay = true;
        break;
      case "error":
        errorType = errorType(frame.data());
        break;
      default: // message_start, ping, and what a later API version adds before content
    }
  }

  private static String errorType(String data) {
    try {
      JsonNode type = JSON.readTree(data).path("error").path("type");
      return type.isTextual() && !type.asText().isEmpty() ? type.asText() : "error";
    } catch (IOException notJson) {
      return "error";
    }
  }
}
