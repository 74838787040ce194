package dev.sluice.assemble;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sse.SseParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Random;

/** Builds SSE streams and feeds them through the parser into an assembler. */
final class Streams {
  static final ObjectMapper MAPPER = new ObjectMapper();

  enum Chunking { ONE_CHUNK, BYTEWISE, RANDOM }

  private Streams() {}

  static String event(String name, String json) {
    return "event: " + name + "\ndata: " + json + "\n\n";
  }

  static String messageStart(String usage) {
    return event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01Test\","
        + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],"
        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":" + usage + "}}");
  }

  static String messageStart() {
    return messageStart("{\"input_tokens\":11,\"cache_read_input_tokens\":5,\"output_tokens\":1}");
  }

  static String blockStart(int index, String block) {
    return event("content_block_start",
        "{\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":" + block + "}");
  }

  static String textStart(int index) {
    return blockStart(index, "{\"type\":\"text\",\"text\":\"\"}");
  }

  static String delta(int index, String delta) {
    return event("content_block_delta",
        "{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":" + delta + "}");
  }

  static String textDelta(int index, String text) {
    return delta(index, "{\"type\":\"text_delta\",\"text\":\"" + quote(text) + "\"}");
  }

  static String blockStop(int index) {
    return event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}");
  }

  static String messageDelta(String delta, String usage) {
    return event("message_delta",
        "{\"type\":\"message_delta\",\"delta\":" + delta + ",\"usage\":" + usage + "}");
  }

  static String messageDelta(int outputTokens) {
    return messageDelta("{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}",
        "{\"output_tokens\":" + outputTokens + "}");
  }

  static String messageStop() {
    return event("message_stop", "{\"type\":\"message_stop\"}");
  }

  static String ping() {
    return event("ping", "{\"type\": \"ping\"}");
  }

  static String quote(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }

  static AssembledMessage assemble(String stream, boolean fast) {
    return assemble(stream.getBytes(UTF_8), fast, Chunking.ONE_CHUNK, 0);
  }

  static AssembledMessage assemble(byte[] in, boolean fast, Chunking chunking, long seed) {
    MessageAssembler assembler = MessageAssembler.create(fast);
    SseParser parser = SseParser.create(assembler::accept);
    switch (chunking) {
      case ONE_CHUNK -> parser.feed(in, 0, in.length);
      case BYTEWISE -> {
        for (int i = 0; i < in.length; i++) {
          parser.feed(in, i, 1);
        }
      }
      case RANDOM -> {
        Random random = new Random(seed);
        for (int pos = 0; pos < in.length; ) {
          int n = Math.min(in.length - pos, 1 + random.nextInt(97));
          parser.feed(in, pos, n);
          pos += n;
        }
      }
    }
    parser.end();
    return assembler.result();
  }

  static byte[] resource(String path) {
    try (InputStream in = Streams.class.getResourceAsStream(path)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode tree(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String json(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
