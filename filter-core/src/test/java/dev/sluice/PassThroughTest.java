package dev.sluice;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.assemble.AssembledMessage;
import dev.sluice.builtin.CostInUsageHook;
import dev.sluice.builtin.ModelAliasHook;
import dev.sluice.cost.Pricing;
import dev.sluice.hook.EventContext;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import dev.sluice.testkit.MockUpstream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The event pipeline without a container: events no hook asked for (or changed) keep their bytes
 * in place, and a chunk of such events goes out as the very buffers it came in; whatever the
 * chunking, the bytes and the record equal the legacy pipeline's.
 */
class PassThroughTest {
  static final byte[] REQUEST = ("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}").getBytes(UTF_8);
  static final URI TARGET = URI.create("http://127.0.0.1:9/v1/messages");

  /** Edits only the events it names, whoever shows it the others (the legacy pipeline does). */
  static final class Editor implements Hook {
    final List<String> seen = new ArrayList<>();

    @Override
    public Set<String> eventNames() {
      return Set.of("ping", "message_delta", "content_block_start");
    }

    @Override
    public void onEvent(EventContext e) {
      seen.add(e.event().name());
      switch (e.event().name()) {
        case "ping" -> e.drop();
        case "content_block_start" -> e.insertBefore("notice", "{\"type\":\"notice\"}");
        case "message_delta" -> {
          ObjectNode json = e.event().json().deepCopy();
          json.put("edited", true);
          e.replace(json);
        }
        default -> { }
      }
    }
  }

  /** Sees every event (the default), changes none. */
  static final class Watcher implements Hook {
    final List<String> seen = new ArrayList<>();

    @Override
    public void onEvent(EventContext e) {
      seen.add(e.event().name());
    }
  }

  /** Overrides onEvent but asks for no event: it is never called. */
  static final class AsksForNothing implements Hook {
    int calls;

    @Override
    public Set<String> eventNames() {
      return Set.of();
    }

    @Override
    public void onEvent(EventContext e) {
      calls++;
    }
  }

  static final class Recording implements Hook {
    @Override
    public void onComplete(dev.sluice.hook.ExchangeRecord record) {}
  }

  static Stages stages(List<Hook> hooks, boolean legacy) {
    HookRegistry registry = HookRegistry.of(hooks);
    registry = legacy ? registry.legacy() : registry;
    SluiceConfig config = SluiceConfig.builder().upstream(URI.create("http://127.0.0.1:9")).build();
    Stages s = new Stages(new Relay(config, null, null, registry, Pricing.defaults(), null),
        "/v1/messages");
    assertThat(s.request(TARGET, List.of(), REQUEST, REQUEST.length, () -> {})).isNotNull();
    s.onResponse(200, List.of(Map.entry("request-id", "req_1")), true);
    return s;
  }

  /** Sends {@code chunks} through {@code s} as the exchange does; returns what went out. */
  static byte[] relay(Stages s, List<List<ByteBuffer>> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (List<ByteBuffer> chunk : chunks) {
      write(s.onChunk(chunk), out);
      s.afterWrite();
    }
    write(s.onEnd().out(), out);
    return out.toByteArray();
  }

  static void write(List<ByteBuffer> buffers, ByteArrayOutputStream out) {
    for (ByteBuffer b : buffers) {
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes); // consumes, as the client writer does
      out.writeBytes(bytes);
    }
  }

  /** Random cuts, some chunks of several buffers, some buffers direct. */
  static List<List<ByteBuffer>> chunks(byte[] in, long seed) {
    Random random = new Random(seed);
    List<List<ByteBuffer>> chunks = new ArrayList<>();
    int pos = 0;
    while (pos < in.length) {
      List<ByteBuffer> chunk = new ArrayList<>();
      for (int parts = 1 + random.nextInt(3); parts > 0 && pos < in.length; parts--) {
        int n = Math.min(in.length - pos, 1 + random.nextInt(300));
        ByteBuffer b;
        if (random.nextInt(5) == 0) {
          b = ByteBuffer.allocateDirect(n).put(in, pos, n).flip();
        } else {
          byte[] backing = new byte[n + 8]; // at an offset in a larger array
          System.arraycopy(in, pos, backing, 4, n);
          b = ByteBuffer.wrap(backing, 4, n).slice();
        }
        chunk.add(b);
        pos += n;
      }
      chunks.add(chunk);
    }
    return chunks;
  }

  static List<String> scenarios() {
    return MockUpstream.transcriptCases();
  }

  /**
   * Legacy and fast get the same chunks: where a chunk ends in a lone CR the parser dispatches at
   * once, and the LF opens the next frame, so a dropped event's last byte depends on chunking in
   * either pipeline (a harmless blank line).
   */
  @ParameterizedTest
  @MethodSource("scenarios")
  void anyChunking_sameBytesAndRecordAsLegacy(String scenario) {
    byte[] in = MockUpstream.transcript(scenario);
    for (long seed = 0; seed < 20; seed++) {
      Stages reference = stages(List.of(new Editor(), new Recording()), true);
      byte[] expected = relay(reference, chunks(in, seed));
      assertThat(new String(expected, UTF_8)).contains("event: notice");
      Editor editor = new Editor();
      Stages fast = stages(List.of(editor, new Recording()), false);
      assertThat(show(relay(fast, chunks(in, seed)))).as("seed %d", seed).isEqualTo(show(expected));
      assertThat(editor.seen).allMatch(editor.eventNames()::contains);
      assertSameRecord(fast.assembled(), reference.assembled());
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void builtIns_anyChunking_sameBytesAndRecordAsLegacy(String scenario) {
    byte[] in = MockUpstream.transcript(scenario);
    List<Hook> hooks = List.of(new CostInUsageHook(), new ModelAliasHook(Map.of("x", "y")),
        new Recording());
    Stages reference = stages(hooks, true);
    byte[] expected = relay(reference, List.of(List.of(ByteBuffer.wrap(in))));
    for (long seed = 0; seed < 10; seed++) { // they drop nothing: chunking cannot matter
      Stages fast = stages(hooks, false);
      assertThat(show(relay(fast, chunks(in, seed)))).as("seed %d", seed).isEqualTo(show(expected));
      assertSameRecord(fast.assembled(), reference.assembled());
    }
  }

  @Test
  void aChunkOfEventsNobodyWants_goesOutAsTheSameBuffers() {
    Stages s = stages(List.of(new CostInUsageHook(), new Recording()), false);
    byte[] delta = ("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n").getBytes(UTF_8);
    byte[] start = ("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n").getBytes(UTF_8);
    List<ByteBuffer> first = List.of(ByteBuffer.wrap(start), ByteBuffer.wrap(delta));
    assertThat(s.onChunk(first)).isSameAs(first);
    assertThat(first.get(0).position()).isZero(); // untouched: the writer sends it as it is
    assertThat(first.get(1).position()).isZero();
    // half an event is held back until its end arrives, then sent whole
    int cut = 40;
    List<ByteBuffer> head = List.of(ByteBuffer.wrap(delta, 0, cut).slice());
    assertThat(s.onChunk(head)).isEmpty();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<ByteBuffer> tail = List.of(ByteBuffer.wrap(delta, cut, delta.length - cut).slice(),
        ByteBuffer.wrap(delta));
    write(s.onChunk(tail), out);
    assertThat(out.toByteArray()).isEqualTo(concat(delta, delta));
    assertThat(s.assembled().message().at("/content/0/text").asText()).isEqualTo("hihihi");
  }

  @Test
  void eventNames_routeEachEventToTheHooksThatAskedForIt() {
    Editor editor = new Editor();
    Watcher watcher = new Watcher();
    AsksForNothing nothing = new AsksForNothing();
    HookRegistry registry = HookRegistry.of(List.of(editor, watcher, nothing));
    assertThat(registry.at(HookPoint.EVENT)).hasSize(3);
    assertThat(registry.toString()) // the table as before, then who asked for which events
        .startsWith("asks-for-nothing[EVENT], editor[EVENT], watcher[EVENT] (events: ")
        .contains("editor (content_block_start, message_delta, ping)")
        .contains("asks-for-nothing ()").doesNotContain("watcher (");
    Stages s = stages(List.of(editor, watcher, nothing), false);
    byte[] in = MockUpstream.transcript("text");
    relay(s, chunks(in, 1));
    assertThat(nothing.calls).isZero();
    assertThat(editor.seen).containsExactly("content_block_start", "ping", "message_delta");
    assertThat(watcher.seen).contains("message_start", "content_block_delta", "message_stop")
        .doesNotContain("ping"); // the editor, first by name, dropped it before the watcher
  }

  @Test
  void legacy_showsEveryEventToEveryHook_whateverTheyAskedFor() {
    AsksForNothing nothing = new AsksForNothing();
    Stages s = stages(List.of(nothing), true);
    relay(s, List.of(List.of(ByteBuffer.wrap(MockUpstream.transcript("text")))));
    assertThat(nothing.calls).isPositive();
  }

  static void assertSameRecord(AssembledMessage a, AssembledMessage b) {
    assertThat(a.message()).isEqualTo(b.message());
    assertThat(a.usage()).isEqualTo(b.usage());
    assertThat(a.complete()).isEqualTo(b.complete());
    assertThat(a.errored()).isEqualTo(b.errored());
    assertThat(a.textDeltas()).isEqualTo(b.textDeltas());
  }

  static String show(byte[] b) {
    return new String(b, UTF_8).replace("\r", "\\r").replace("\n", "\\n\n");
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
