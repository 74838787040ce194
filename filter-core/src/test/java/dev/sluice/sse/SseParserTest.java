package dev.sluice.sse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseParserTest {
  private final Recorder recorder = new Recorder();
  private final SseParser parser = SseParser.create(recorder);

  private void feed(String... chunks) {
    for (String chunk : chunks) {
      byte[] b = chunk.getBytes(UTF_8);
      parser.feed(b, 0, b.length);
    }
  }

  @Test
  void singleEvent() {
    feed("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    assertThat(recorder.namesAndData()).containsExactly("message_stop:{\"type\":\"message_stop\"}");
    assertThat(parser.end()).isTrue();
  }

  @Test
  void multilineData() {
    feed("event: e\ndata: a\ndata: b\ndata:\ndata: c\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:a\nb\n\nc");
  }

  @Test
  void multilineCrLf() {
    feed("event: e\r\ndata: a\r\ndata: b\r\n\r\n");
    assertThat(recorder.namesAndData()).containsExactly("e:a\nb");
  }

  @Test
  void loneCrLineEndings() {
    feed("event: e\rdata: a\rdata: b\r\revent: f\rdata: c\r\r");
    assertThat(recorder.namesAndData()).containsExactly("e:a\nb", "f:c");
  }

  @Test
  void mixedLineEndings() {
    feed("event: e\r\ndata: a\rdata: b\n\r\nevent: f\ndata: c\r\r");
    assertThat(recorder.namesAndData()).containsExactly("e:a\nb", "f:c");
  }

  @Test
  void crLfSplitAcrossChunks() {
    feed("event: e\r", "\ndata: a\r", "\n\r", "\nevent: f\r", "\ndata: b\r\n\r", "\n");
    // Had the split CRLF counted as two line endings, "e" would have been dispatched without data.
    assertThat(recorder.namesAndData()).containsExactly("e:a", "f:b");
    assertThat(parser.end()).isTrue();
  }

  @Test
  void loneCrAtChunkEndDispatchesWithoutWaiting() {
    feed("event: e\rdata: a\r\r");
    assertThat(recorder.namesAndData()).containsExactly("e:a");
    feed("\nevent: f\ndata: b\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:a", "f:b");
    // The LF that completed the earlier CRLF opens the next frame's raw bytes.
    assertThat(new String(recorder.events.get(1).raw(), UTF_8)).isEqualTo("\nevent: f\ndata: b\n\n");
  }

  @Test
  void commentsIgnored() {
    feed(": hello\nevent: e\n: in between\ndata: a\n:\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:a");
  }

  @Test
  void commentOnlyBlockNotDispatched() {
    feed(": keepalive\n\n");
    assertThat(recorder.events).isEmpty();
    assertThat(parser.end()).isTrue();
  }

  @Test
  void noSpaceAfterColon() {
    feed("event:e\ndata:{\"a\":1}\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:{\"a\":1}");
  }

  @Test
  void onlyOneSpaceAfterColonStripped() {
    feed("event:  e\ndata:   a \n\n");
    assertThat(recorder.namesAndData()).containsExactly(" e:  a ");
  }

  @Test
  void lineWithoutColonIsFieldWithEmptyValue() {
    feed("event: e\ndata\ndata\n\nevent\ndata: x\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:\n", ":x");
  }

  @Test
  void emptyDataLineIsDispatched() {
    feed("event: e\ndata:\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:");
  }

  @Test
  void eventWithoutDataNotDispatched() {
    feed("event: e\n\nevent: f\nid: 3\nretry: 10\n\n");
    assertThat(recorder.events).isEmpty();
  }

  @Test
  void eventWithoutNameHasEmptyName() {
    feed("data: a\n\n");
    assertThat(recorder.events).singleElement().extracting(Recorder.Event::name).isEqualTo("");
  }

  @Test
  void lastEventFieldWins() {
    feed("event: a\nevent: b\ndata: x\n\n");
    assertThat(recorder.namesAndData()).containsExactly("b:x");
  }

  @Test
  void unknownFieldsAndIdAndRetryIgnored() {
    feed("event: e\nid: 7\nretry: 100\nfoo: bar\ndata: a\nDATA: b\ndata : c\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:a");
  }

  @Test
  void eventNameDoesNotCarryOver() {
    feed("event: e\ndata: a\n\ndata: b\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:a", ":b");
  }

  @Test
  void utf8SplitAcrossChunks() {
    byte[] input = "event: e\ndata: caf\u00e9 \u65e5\u672c \ud83c\udf89\n\n".getBytes(UTF_8);
    Recorder.feedBytewise(parser, input);
    assertThat(recorder.namesAndData()).containsExactly("e:caf\u00e9 \u65e5\u672c \ud83c\udf89");
  }

  @Test
  void lineSeparatorIsNotALineBreak() {
    feed("event: e\ndata: a\u2028b\u0085c\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:a\u2028b\u0085c");
  }

  @Test
  void byteOrderMarkSkipped() {
    byte[] input = "\ufeffevent: e\ndata: a\n\n".getBytes(UTF_8);
    Recorder.feedBytewise(parser, input);
    assertThat(recorder.namesAndData()).containsExactly("e:a");
    assertThat(recorder.concatenatedRaw()).isEqualTo(input);
  }

  @Test
  void byteOrderMarkOnlyAtStreamStart() {
    feed("event: e\ndata: a\n\n\ufeffevent: f\ndata: b\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:a", ":b");
  }

  @Test
  void trailingEventWithoutBlankLineNotDispatched() {
    feed("event: e\ndata: a\n\nevent: message_stop\ndata: {}\n");
    assertThat(parser.end()).isFalse();
    assertThat(parser.endedCleanly()).isFalse();
    assertThat(recorder.namesAndData()).containsExactly("e:a");
    assertThat(new String(parser.undispatched(), UTF_8)).isEqualTo("event: message_stop\ndata: {}\n");
  }

  @Test
  void endMidLineIsNotClean() {
    feed("event: e\ndata: a\n\nev");
    assertThat(parser.end()).isFalse();
  }

  @Test
  void endAfterCommentIsClean() {
    feed("event: e\ndata: a\n\n: bye\n");
    assertThat(parser.end()).isTrue();
    assertThat(new String(parser.undispatched(), UTF_8)).isEqualTo(": bye\n");
  }

  @Test
  void endOfEmptyStreamIsClean() {
    assertThat(parser.endedCleanly()).isFalse();
    assertThat(parser.end()).isTrue();
    assertThat(parser.end()).isTrue();
  }

  @Test
  void feedAfterEndFails() {
    parser.end();
    assertThatThrownBy(() -> feed("data: a\n\n")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void emptyChunksAreHarmless() {
    parser.feed(new byte[0], 0, 0);
    feed("event: e\r");
    parser.feed(new byte[0], 0, 0);
    feed("\ndata: a\n\n");
    assertThat(recorder.namesAndData()).containsExactly("e:a");
  }

  @Test
  void rawBytesIncludeLeadingCommentsAndGarbage() {
    feed(": hi\n\nevent: x\n\njunk\n\nevent: e\ndata: a\n\n");
    assertThat(recorder.events).singleElement().satisfies(e -> assertThat(new String(e.raw(), UTF_8))
        .isEqualTo(": hi\n\nevent: x\n\njunk\n\nevent: e\ndata: a\n\n"));
  }

  @Test
  void rawBytesEndWithTheBlankLine() {
    feed("event: e\r\ndata: a\r\n\r\nevent: f\ndata: b\n\n");
    assertThat(new String(recorder.events.get(0).raw(), UTF_8)).isEqualTo("event: e\r\ndata: a\r\n\r\n");
    assertThat(new String(recorder.events.get(1).raw(), UTF_8)).isEqualTo("event: f\ndata: b\n\n");
  }

  @Test
  void rawBytesAreOnlyValidDuringTheCallback() {
    feed("event: e\ndata: a\n\n");
    SseFrame frame = recorder.frames.get(0);
    assertThat(frame.name()).isEqualTo("e");
    assertThat(frame.data()).isEqualTo("a");
    assertThat(frame.rawLength()).isEqualTo(18);
    assertThatThrownBy(frame::raw).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(frame::rawBuffer).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void dataIsDecodedOnlyWhenAsked_andOnlyInsideTheCallback() {
    List<SseFrame> untouched = new java.util.ArrayList<>();
    List<byte[]> copies = new java.util.ArrayList<>();
    SseParser quiet = SseParser.create(frame -> {
      byte[] copy = new byte[frame.dataLength()];
      frame.copyData(copy);
      copies.add(copy);
      untouched.add(frame);
    });
    byte[] in = "event: e\ndata: caf\u00e9\ndata: \ud83c\udf89\n\nevent: f\ndata: x\n\n".getBytes(UTF_8);
    quiet.feed(in, 0, 5); // the first event arrives in pieces, its data through the carry
    quiet.feed(in, 5, in.length - 5);
    assertThat(copies).hasSize(2);
    assertThat(new String(copies.get(0), UTF_8)).isEqualTo("caf\u00e9\n\ud83c\udf89");
    assertThat(untouched.get(0).dataLength()).isEqualTo(copies.get(0).length);
    assertThat(new String(copies.get(1), UTF_8)).isEqualTo("x");
    // never decoded inside the callback: too late now, the parser's buffer has moved on
    assertThatThrownBy(untouched.get(0)::data).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> untouched.get(1).copyData(new byte[8]))
        .isInstanceOf(IllegalStateException.class);
    // decoded inside: the string stays
    assertThat(recorder.frames).isEmpty();
    feed("event: e\ndata: a\n\n");
    assertThat(recorder.frames.get(0).data()).isEqualTo("a");
    assertThat(recorder.frames.get(0).dataLength()).isEqualTo(1);
  }

  @Test
  void undispatchedLength_isWhereTheNextEventStarts() {
    feed("event: e\ndata: a\n\n: comment\n\nevent: f\nda");
    assertThat(parser.undispatchedLength()).isEqualTo(
        ": comment\n\nevent: f\nda".getBytes(UTF_8).length);
    feed("ta: b\n\n");
    assertThat(parser.undispatchedLength()).isZero();
    assertThat(new String(recorder.events.get(1).raw(), UTF_8))
        .isEqualTo(": comment\n\nevent: f\ndata: b\n\n");
  }

  @Test
  void rawBufferIsReadOnlyViewOfExactBytes() {
    SseParser p = SseParser.create(frame -> {
      ByteBuffer view = frame.rawBuffer();
      assertThat(view.isReadOnly()).isTrue();
      byte[] b = new byte[view.remaining()];
      view.get(b);
      assertThat(new String(b, UTF_8)).isEqualTo("event: e\ndata: a\n\n");
    });
    byte[] in = "xxevent: e\ndata: a\n\nyy".getBytes(UTF_8);
    p.feed(in, 2, in.length - 4);
    assertThat(p.end()).isTrue();
  }

  @Test
  void byteBufferInputs() {
    byte[] in = "event: e\ndata: caf\u00e9\n\nevent: f\ndata: b\n\n".getBytes(UTF_8);
    ByteBuffer heap = ByteBuffer.wrap(in, 0, 10);
    parser.feed(heap);
    assertThat(heap.hasRemaining()).isFalse();
    ByteBuffer direct = ByteBuffer.allocateDirect(in.length);
    direct.put(in, 10, 15).flip();
    parser.feed(direct);
    assertThat(direct.hasRemaining()).isFalse();
    parser.feed(ByteBuffer.wrap(in, 25, in.length - 25).slice().asReadOnlyBuffer());
    assertThat(recorder.namesAndData()).containsExactly("e:caf\u00e9", "f:b");
    assertThat(recorder.concatenatedRaw()).isEqualTo(in);
  }

  @Test
  void largeEventSpanningManyChunks() {
    String big = "x".repeat(100_000);
    byte[] in = ("event: e\ndata: " + big + "\n\n").getBytes(UTF_8);
    Recorder.feedRandomly(parser, in, new Random(1), 7000);
    assertThat(recorder.namesAndData()).containsExactly("e:" + big);
    assertThat(recorder.concatenatedRaw()).isEqualTo(in);
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "long_text", "tool_use", "thinking", "citations", "server_tools",
      "multi_block", "unicode", "crlf", "mid_stream_error"})
  void transcriptsParseTheSameInAnyChunking(String name) throws IOException {
    byte[] in = transcript(name);
    List<String> expected = ReferenceParser.parse(in);
    assertThat(expected).isNotEmpty();
    for (int mode = 0; mode < 3; mode++) {
      Recorder r = new Recorder();
      SseParser p = SseParser.create(r);
      switch (mode) {
        case 0 -> p.feed(in, 0, in.length);
        case 1 -> Recorder.feedBytewise(p, in);
        default -> Recorder.feedRandomly(p, in, new Random(42), 64);
      }
      assertThat(p.end()).as("ended cleanly").isTrue();
      assertThat(r.namesAndData()).isEqualTo(expected);
      assertThat(r.events).allSatisfy(e -> assertThat(e.name()).isNotEmpty());
      assertThat(concat(r.concatenatedRaw(), p.undispatched())).isEqualTo(in);
    }
  }

  @Test
  void rawBytesConcatenateToInput() {
    Random random = new Random(20240601);
    for (int round = 0; round < 2000; round++) {
      byte[] in = SseFuzz.stream(random);
      Recorder r = new Recorder();
      SseParser p = SseParser.create(r);
      if (round % 3 == 0) {
        Recorder.feedBytewise(p, in);
      } else {
        Recorder.feedRandomly(p, in, random, 1 + random.nextInt(40));
      }
      p.end();
      assertThat(concat(r.concatenatedRaw(), p.undispatched())).as("round %d", round).isEqualTo(in);
      assertThat(r.namesAndData()).as("round %d", round).isEqualTo(ReferenceParser.parse(in));
    }
  }

  @Test
  void everyDispatchedFrameIsValidSseOnItsOwn() {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      byte[] in = SseFuzz.stream(random);
      Recorder r = new Recorder();
      Recorder.feedRandomly(SseParser.create(r), in, random, 16);
      for (Recorder.Event e : r.events) {
        Recorder again = new Recorder();
        SseParser p = SseParser.create(again);
        p.feed(e.raw(), 0, e.raw().length);
        assertThat(again.namesAndData()).containsExactly(e.toString());
      }
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] transcript(String name) throws IOException {
    try (InputStream in = SseParserTest.class.getResourceAsStream("/transcripts/" + name + ".sse")) {
      assertThat(in).as("transcript %s on the test classpath", name).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void nextLineBreak_findsTheFirstCrOrLf_atEveryOffset_withNoFalseHits() {
    // Bytes around the patterns (0x0a, 0x0d): the zero-byte test must not flag 0x0b, 0x8a, 0x8d,
    // 0x00 or 0xff, nor a byte after a borrow.
    byte[] alphabet = {'a', 0x0b, 0x0c, (byte) 0x8a, (byte) 0x8d, 0x00, (byte) 0xff, 0x09, 0x0e,
        0x01, '\n', '\r'};
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 2000; round++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int k = 0; k < b.length; k++) {
        b[k] = alphabet[random.nextInt(random.nextBoolean() ? alphabet.length - 2
            : alphabet.length)];
      }
      for (int from = 0; from <= b.length; from++) {
        int expected = from;
        while (expected < b.length && b[expected] != '\n' && b[expected] != '\r') {
          expected++;
        }
        assertThat(SseParser.nextLineBreak(b, from, b.length)).as("from %d in %s", from,
            java.util.Arrays.toString(b)).isEqualTo(expected);
      }
    }
  }
}
