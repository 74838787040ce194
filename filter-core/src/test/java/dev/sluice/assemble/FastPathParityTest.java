package dev.sluice.assemble;

import static dev.sluice.assemble.Streams.blockStart;
import static dev.sluice.assemble.Streams.blockStop;
import static dev.sluice.assemble.Streams.delta;
import static dev.sluice.assemble.Streams.messageDelta;
import static dev.sluice.assemble.Streams.messageStart;
import static dev.sluice.assemble.Streams.messageStop;
import static dev.sluice.assemble.Streams.ping;
import static dev.sluice.assemble.Streams.textDelta;
import static dev.sluice.assemble.Streams.textStart;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.assemble.Streams.Chunking;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast and general paths must build the same message from the same bytes, however the bytes
 * are chunked. Unlike LiteLLM's parity suite this also compares the assembled message against the
 * non-streaming JSON, and the usage both as trees and as serialized text.
 */
class FastPathParityTest {
  private static final Set<String> PURE_TEXT = Set.of("text", "long_text", "unicode", "crlf");

  static Stream<Arguments> transcripts() {
    return Stream.of("text", "long_text", "tool_use", "thinking", "citations", "server_tools",
            "multi_block", "unicode", "crlf", "mid_stream_error")
        .flatMap(name -> Stream.of(Chunking.values()).map(c -> Arguments.of(name, c)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("transcripts")
  void transcriptAssemblesIdenticallyOnBothPaths(String name, Chunking chunking) {
    byte[] sse = Streams.resource("/transcripts/" + name + ".sse");
    assertThat(sse).as("transcript %s", name).isNotNull();
    AssembledMessage fast = Streams.assemble(sse, true, chunking, name.hashCode());
    AssembledMessage general = Streams.assemble(sse, false, chunking, name.hashCode());
    assertSameMessage(fast, general);
    assertThat(fast.fastPath()).as("fastPath").isEqualTo(PURE_TEXT.contains(name));
    assertThat(general.fastPath()).isFalse();
    // Same bytes in one chunk: chunking must not matter either.
    assertSameMessage(fast, Streams.assemble(sse, true, Chunking.ONE_CHUNK, 0));

    byte[] json = Streams.resource("/transcripts/" + name + ".json");
    assertThat(json).as("%s.json", name).isNotNull();
    JsonNode expected = Streams.tree(new String(json, UTF_8));
    if (name.equals("mid_stream_error")) {
      assertThat(fast.complete()).isFalse();
      assertThat(fast.errored()).isTrue();
      assertThat(fast.error()).isEqualTo(expected.get("error"));
      assertThat(fast.message().at("/content/0/text").asText()).isEqualTo("Let me think about that");
      assertThat(fast.textDeltas()).isEqualTo(3);
    } else {
      assertThat(fast.complete()).isTrue();
      assertThat(fast.errored()).isFalse();
      assertThat(fast.message()).isEqualTo(expected);
    }
  }

  @Test
  void manyDeltas() {
    StringBuilder sse = new StringBuilder(messageStart()).append(textStart(0)).append(ping());
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      String piece = "w" + i + (i % 7 == 0 ? "\n" : " ");
      sse.append(textDelta(0, piece));
      text.append(piece);
    }
    sse.append(blockStop(0)).append(messageDelta(10_000)).append(messageStop());
    AssembledMessage fast = parity(sse.toString(), true);
    assertThat(fast.message().at("/content/0/text").asText()).isEqualTo(text.toString());
    assertThat(fast.textDeltas()).isEqualTo(10_000);
    assertThat(fast.usage().get("output_tokens").asInt()).isEqualTo(10_000);
  }

  @Test
  void emptyStringDeltas() {
    String sse = messageStart() + textStart(0) + textDelta(0, "") + textDelta(0, "a")
        + textDelta(0, "") + textDelta(0, "") + textDelta(0, "b") + blockStop(0)
        + messageDelta(2) + messageStop();
    AssembledMessage fast = parity(sse, true);
    assertThat(fast.message().at("/content/0/text").asText()).isEqualTo("ab");
    assertThat(fast.textDeltas()).isEqualTo(5);
  }

  @Test
  void onlyEmptyDeltasStillSetText() {
    String sse = messageStart() + textStart(0) + textDelta(0, "") + blockStop(0) + messageStop();
    assertThat(parity(sse, true).message().at("/content/0")).isEqualTo(
        Streams.tree("{\"type\":\"text\",\"text\":\"\"}"));
  }

  @Test
  void severalTextBlocks() {
    String sse = messageStart() + textStart(0) + textDelta(0, "one") + blockStop(0) + ping()
        + textStart(1) + textDelta(1, "two") + textDelta(1, "!") + blockStop(1)
        + textStart(2) + blockStop(2) + messageDelta(3) + messageStop();
    AssembledMessage fast = parity(sse, true);
    assertThat(fast.message().get("content")).isEqualTo(Streams.tree(
        "[{\"type\":\"text\",\"text\":\"one\"},{\"type\":\"text\",\"text\":\"two!\"},"
            + "{\"type\":\"text\",\"text\":\"\"}]"));
  }

  @Test
  void unicodeSplitAcrossChunks() {
    String sse = messageStart() + textStart(0) + textDelta(0, "caf\u00e9 ") + textDelta(0, "\ud83c\udf89")
        + textDelta(0, "\u65e5\u672c\u8a9e\u2028x") + blockStop(0) + messageDelta(3) + messageStop();
    AssembledMessage fast = parity(sse, true);
    assertThat(fast.message().at("/content/0/text").asText())
        .isEqualTo("caf\u00e9 \ud83c\udf89\u65e5\u672c\u8a9e\u2028x");
  }

  @Test
  void escapesInText() {
    String sse = messageStart() + textStart(0)
        + delta(0, "{\"type\":\"text_delta\",\"text\":\"q\\\"\\\\\\n\\u00e9\\ud83c\\udf89\\/\"}")
        + blockStop(0) + messageStop();
    assertThat(parity(sse, true).message().at("/content/0/text").asText())
        .isEqualTo("q\"\\\n\u00e9\ud83c\udf89/");
  }

  @Test
  void textDeltas_areReadFromTheFrameBytes_neverDecodedToAString() {
    String sse = messageStart() + textStart(0) + textDelta(0, "caf\u00e9 \ud83c\udf89")
        + textDelta(0, "q\"\\\n\u2028") + blockStop(0) + messageDelta(2) + messageStop();
    MessageAssembler assembler = MessageAssembler.create(true);
    java.util.List<dev.sluice.sse.SseFrame> deltas = new java.util.ArrayList<>();
    dev.sluice.sse.SseParser parser = dev.sluice.sse.SseParser.create(frame -> {
      assembler.accept(frame);
      if (frame.name().equals("content_block_delta")) {
        deltas.add(frame);
      }
    });
    byte[] in = sse.getBytes(UTF_8);
    parser.feed(in, 0, in.length);
    assertThat(assembler.result().message().at("/content/0/text").asText())
        .isEqualTo("caf\u00e9 \ud83c\udf89q\"\\\n\u2028");
    assertThat(deltas).hasSize(2).allSatisfy(frame ->
        org.assertj.core.api.Assertions.assertThatThrownBy(frame::data)
            .isInstanceOf(IllegalStateException.class));
  }

  @Test
  void malformedUtf8InText_agreesOnBothPaths() {
    byte[][] bad = {{(byte) 0x80}, {(byte) 0xc3}, {(byte) 0xe6, (byte) 0x97}, {(byte) 0xc0, (byte) 0x80},
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xff}, {(byte) 0xe6, (byte) 0x97, '\\', 'n'}};
    for (byte[] b : bad) {
      java.io.ByteArrayOutputStream sse = new java.io.ByteArrayOutputStream();
      sse.writeBytes((messageStart() + textStart(0) + textDelta(0, "<")).getBytes(UTF_8));
      sse.writeBytes(("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"a").getBytes(UTF_8));
      sse.writeBytes(b);
      sse.writeBytes(("b\"}}\n\n" + textDelta(0, ">") + blockStop(0) + messageStop()).getBytes(UTF_8));
      byte[] in = sse.toByteArray();
      AssembledMessage general = Streams.assemble(in, false, Chunking.ONE_CHUNK, 0);
      for (Chunking chunking : Chunking.values()) {
        AssembledMessage fast = Streams.assemble(in, true, chunking, 3);
        assertSameMessage(fast, general);
        assertThat(fast.fastPath()).isTrue();
        assertThat(fast.textDeltas()).isEqualTo(3);
      }
      assertThat(general.message().at("/content/0/text").asText()).contains("\ufffd");
    }
  }

  @Test
  void interleavedIndexes() {
    // Two open text blocks at once; LiteLLM's collapser gave up here, ours stays on the fast path.
    String sse = messageStart() + textStart(0) + textStart(1) + textDelta(0, "a") + textDelta(1, "x")
        + textDelta(0, "b") + textDelta(1, "y") + blockStop(0) + textDelta(1, "z") + blockStop(1)
        + messageDelta(5) + messageStop();
    AssembledMessage fast = parity(sse, true);
    assertThat(fast.message().at("/content/0/text").asText()).isEqualTo("ab");
    assertThat(fast.message().at("/content/1/text").asText()).isEqualTo("xyz");
  }

  @Test
  void fieldOrderAndPaddingInDeltas() {
    String sse = messageStart() + textStart(0)
        + Streams.event("content_block_delta", "{ \"delta\" : {\"text\":\"a\", \"extra\":[1,{\"t\":2}],"
            + " \"type\":\"text_delta\"}, \"index\" : 0 , \"type\":\"content_block_delta\" }     ")
        + blockStop(0) + messageStop();
    AssembledMessage fast = parity(sse, true);
    assertThat(fast.message().at("/content/0/text").asText()).isEqualTo("a");
  }

  @Test
  void oddDeltasAgreeOnBothPaths() {
    String[] odd = {
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":5}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\"}}",
        "{\"type\":\"content_block_delta\",\"index\":\"0\",\"delta\":{\"type\":\"text_delta\",\"text\":\"s\"}}",
        "{\"type\":\"content_block_delta\",\"index\":0.0,\"delta\":{\"type\":\"text_delta\",\"text\":\"f\"}}",
        "{\"type\":\"content_block_delta\",\"index\":9,\"delta\":{\"type\":\"text_delta\",\"text\":\"n\"}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"d\"},"
            + "\"index\":7}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\","
            + "\"text\":\"b\"}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"t\"}}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"u\"",
        "{\"type\":\"message_stop\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"m\"}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"future_delta\",\"text\":\"z\"}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"text\":\"z\"}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":\"text_delta\"}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"},"
            + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"y\"}}",
        "{\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"no type\"}}",
        "{\"type\":\"content_block_delta\",\"index\":3000000000,\"delta\":{\"type\":\"text_delta\",\"text\":\"l\"}}",
        "{\"type\":\"content_block_delta\",\"index\":-1,\"delta\":{\"type\":\"text_delta\",\"text\":\"l\"}}",
        "",
        "[1,2]",
        "not json",
    };
    for (String data : odd) {
      String sse = messageStart() + textStart(0) + textDelta(0, "<") + Streams.event("content_block_delta", data)
          + textDelta(0, ">") + blockStop(0) + messageStop();
      AssembledMessage fast = Streams.assemble(sse, true);
      AssembledMessage general = Streams.assemble(sse, false);
      assertSameMessage(fast, general);
      assertThat(fast.textDeltas()).as(data).isEqualTo(general.textDeltas());
    }
  }

  @Test
  void textDeltaAfterBlockStopAgreesOnBothPaths() {
    String sse = messageStart() + textStart(0) + textDelta(0, "a") + blockStop(0) + textDelta(0, "b")
        + messageStop();
    AssembledMessage fast = Streams.assemble(sse, true);
    assertSameMessage(fast, Streams.assemble(sse, false));
    assertThat(fast.message().at("/content/0/text").asText()).isEqualTo("ab");
    assertThat(fast.fastPath()).isFalse(); // no open text block at index 0 any more
  }

  @Test
  void streamCutInTheMiddle() {
    String sse = messageStart("{\"input_tokens\":20,\"cache_creation_input_tokens\":5,"
            + "\"cache_read_input_tokens\":7,\"output_tokens\":1}")
        + textStart(0) + textDelta(0, "Hello") + textDelta(0, " wor") + blockStop(0)
        + messageDelta("{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null}", "{\"output_tokens\":9}")
        + messageStop();
    byte[] in = sse.getBytes(UTF_8);
    String cut = sse.substring(0, sse.indexOf("event: content_block_delta", sse.indexOf(" wor") - 120));
    AssembledMessage partial = parity(cut, true);
    assertThat(partial.complete()).isFalse();
    assertThat(partial.message().at("/content/0/text").asText()).isEqualTo("Hello");
    assertThat(partial.usage()).isEqualTo(Streams.tree(
        "{\"input_tokens\":20,\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":7,"
            + "\"output_tokens\":1}"));

    String afterDelta = sse.substring(0, sse.indexOf("event: message_stop"));
    AssembledMessage beforeStop = parity(afterDelta, true);
    assertThat(beforeStop.complete()).isFalse();
    assertThat(beforeStop.usage().get("output_tokens").asInt()).isEqualTo(9);
    assertThat(beforeStop.usage().get("cache_read_input_tokens").asInt()).isEqualTo(7);
    assertThat(beforeStop.message().get("stop_reason").asText()).isEqualTo("max_tokens");

    // Every cut point, fed byte by byte: the paths agree on each partial message.
    for (int cutAt = 0; cutAt <= in.length; cutAt += 3) {
      byte[] prefix = java.util.Arrays.copyOf(in, cutAt);
      AssembledMessage f = Streams.assemble(prefix, true, Chunking.BYTEWISE, 0);
      assertSameMessage(f, Streams.assemble(prefix, false, Chunking.ONE_CHUNK, 0));
      assertThat(f.complete()).isEqualTo(cutAt == in.length);
    }
  }

  @Test
  void transcriptsCutAnywhereAgreeOnBothPaths() {
    for (String name : new String[] {"tool_use", "thinking", "citations", "server_tools"}) {
      byte[] in = Streams.resource("/transcripts/" + name + ".sse");
      for (int cutAt = 0; cutAt < in.length; cutAt += 5) {
        byte[] prefix = java.util.Arrays.copyOf(in, cutAt);
        assertSameMessage(Streams.assemble(prefix, true, Chunking.RANDOM, cutAt),
            Streams.assemble(prefix, false, Chunking.ONE_CHUNK, 0));
      }
    }
  }

  @Test
  void leavingTheFastPathMidBlockKeepsTheText() {
    String sse = messageStart() + textStart(0) + textDelta(0, "I'll look") + textDelta(0, " it up.")
        + delta(0, "{\"type\":\"citations_delta\",\"citation\":{\"type\":\"char_location\",\"cited_text\":\"c\"}}")
        + textDelta(0, " Done.") + blockStop(0)
        + blockStart(1, "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"f\",\"input\":{}}")
        + blockStop(1) + textStart(2) + textDelta(2, "after") + blockStop(2) + messageStop();
    AssembledMessage fast = parity(sse, false);
    assertThat(fast.message().get("content")).isEqualTo(Streams.tree(
        "[{\"type\":\"text\",\"text\":\"I'll look it up. Done.\",\"citations\":[{\"type\":\"char_location\","
            + "\"cited_text\":\"c\"}]},{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"f\",\"input\":{}},"
            + "{\"type\":\"text\",\"text\":\"after\"}]"));
    assertThat(fast.textDeltas()).isEqualTo(4);
  }

  /** Assembles {@code sse} both ways in three chunkings; returns the fast result. */
  private static AssembledMessage parity(String sse, boolean expectFast) {
    byte[] in = sse.getBytes(UTF_8);
    AssembledMessage reference = Streams.assemble(in, false, Chunking.ONE_CHUNK, 0);
    AssembledMessage first = null;
    for (Chunking chunking : Chunking.values()) {
      AssembledMessage fast = Streams.assemble(in, true, chunking, 17);
      AssembledMessage general = Streams.assemble(in, false, chunking, 17);
      assertSameMessage(fast, general);
      assertSameMessage(fast, reference);
      assertThat(fast.fastPath()).as("fastPath, %s", chunking).isEqualTo(expectFast);
      assertThat(general.fastPath()).isFalse();
      assertThat(fast.textDeltas()).isEqualTo(general.textDeltas());
      first = first == null ? fast : first;
    }
    return first;
  }

  private static final dev.sluice.cost.Pricing PRICING = dev.sluice.cost.Pricing.defaults();

  static void assertSameMessage(AssembledMessage a, AssembledMessage b) {
    assertThat(a.message()).isEqualTo(b.message());
    assertThat(Streams.json(a.message())).isEqualTo(Streams.json(b.message()));
    assertThat(a.usage()).isEqualTo(b.usage());
    assertThat(Streams.json(a.usage())).isEqualTo(Streams.json(b.usage()));
    String model = a.message().path("model").asText("claude-sonnet-4-5");
    java.util.Optional<java.math.BigDecimal> costA = PRICING.cost(model, a.usage());
    assertThat(costA).as("cost, exactly").isEqualTo(PRICING.cost(model, b.usage()));
    if (a.usage().path("output_tokens").asLong() > 0 && !model.isEmpty()) {
      assertThat(costA).as("a priced model costs something")
          .hasValueSatisfying(c -> assertThat(c).isPositive());
    }
    assertThat(a.complete()).isEqualTo(b.complete());
    assertThat(a.errored()).isEqualTo(b.errored());
    assertThat(a.error()).isEqualTo(b.error());
  }
}
