package dev.sluice.bench.jmh;

import dev.sluice.assemble.AssembledMessage;
import dev.sluice.assemble.MessageAssembler;
import dev.sluice.sse.SseParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MessageAssembler#accept(String, String)} for one text delta, on the fast path
 * ({@code create(true)}: a streaming read of the delta, appended to the block's builder) and the
 * general path ({@code create(false)}: a Jackson tree per delta), which the legacy pipeline uses.
 *
 * <p>{@code deltaFrame}: how the pipeline feeds it, {@link MessageAssembler#accept(SseFrame)}
 * from the SSE parser's callback, parse included: on the fast path the delta is read from the
 * frame's bytes ({@code TextDeltaScanner}), its data never decoded to a String; compare with
 * {@code SseParseBenchmark.oneEventFramingOnly} for the parser's share.
 *
 * <p>The text grows by 6 chars per delta, so every {@value #PER_MESSAGE} deltas the benchmark
 * starts a fresh assembler (message_start + content_block_start, both parsed as trees on either
 * path); that costs about 1/{@value #PER_MESSAGE} of a message_start per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AssemblerBenchmark {
  static final int PER_MESSAGE = 4096;

  @Param({"true", "false"})
  public boolean fastPath;

  private MessageAssembler assembler;
  private int n;
  private SseParser parser;
  private final byte[] event = Events.DELTA;

  @Setup
  public void setup() {
    fresh();
    // Measure the path the parameter names, not a silent fallback.
    MessageAssembler probe = MessageAssembler.create(fastPath);
    probe.accept("message_start", Events.MESSAGE_START_DATA);
    probe.accept("content_block_start", Events.BLOCK_START_DATA);
    probe.accept("content_block_delta", Events.DELTA_DATA);
    SseParser.create(probe::accept).feed(event, 0, event.length);
    AssembledMessage m = probe.result();
    if (m.fastPath() != fastPath || m.textDeltas() != 2) {
      throw new IllegalStateException("expected fastPath=" + fastPath + ", got " + m);
    }
  }

  private void fresh() {
    assembler = MessageAssembler.create(fastPath);
    assembler.accept("message_start", Events.MESSAGE_START_DATA);
    assembler.accept("content_block_start", Events.BLOCK_START_DATA);
    MessageAssembler target = assembler;
    parser = SseParser.create(target::accept);
    n = 0;
  }

  @Benchmark
  public MessageAssembler delta() {
    if (++n == PER_MESSAGE) {
      fresh();
    }
    assembler.accept("content_block_delta", Events.DELTA_DATA);
    return assembler;
  }

  @Benchmark
  public MessageAssembler deltaFrame() {
    if (++n == PER_MESSAGE) {
      fresh();
    }
    parser.feed(event, 0, event.length);
    return assembler;
  }
}
