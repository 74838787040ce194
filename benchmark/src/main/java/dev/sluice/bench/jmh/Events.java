package dev.sluice.bench.jmh;

import static java.nio.charset.StandardCharsets.UTF_8;

/** The events of a text stream, byte for byte as the mock upstream (and Anthropic) send them. */
final class Events {
  static final String MESSAGE_START_DATA = "{\"type\":\"message_start\",\"message\":{\"model\":"
      + "\"claude-sonnet-4-5-20250929\",\"id\":\"msg_01MockGen00000000000001\",\"type\":"
      + "\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,"
      + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":0,"
      + "\"cache_read_input_tokens\":0,\"output_tokens\":1,\"service_tier\":\"standard\"}}}";
  static final String BLOCK_START_DATA = "{\"type\":\"content_block_start\",\"index\":0,"
      + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}";
  static final String DELTA_DATA = "{\"type\":\"content_block_delta\",\"index\":0,"
      + "\"delta\":{\"type\":\"text_delta\",\"text\":\"hello \"}}";
  static final String BLOCK_STOP_DATA = "{\"type\":\"content_block_stop\",\"index\":0}";
  static final String MESSAGE_DELTA_DATA = "{\"type\":\"message_delta\",\"delta\":"
      + "{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":64}}";
  static final String MESSAGE_STOP_DATA = "{\"type\":\"message_stop\"}";

  static final byte[] DELTA = event("content_block_delta", DELTA_DATA);
  static final byte[] PREAMBLE = concat(event("message_start", MESSAGE_START_DATA),
      event("content_block_start", BLOCK_START_DATA));
  static final byte[] EPILOGUE = concat(event("content_block_stop", BLOCK_STOP_DATA),
      event("message_delta", MESSAGE_DELTA_DATA), event("message_stop", MESSAGE_STOP_DATA));

  private Events() {}

  static byte[] event(String name, String data) {
    return ("event: " + name + "\ndata: " + data + "\n\n").getBytes(UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int pos = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    return out;
  }
}
