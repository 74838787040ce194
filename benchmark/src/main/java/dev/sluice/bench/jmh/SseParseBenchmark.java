package dev.sluice.bench.jmh;

import dev.sluice.sse.SseFrame;
import dev.sluice.sse.SseParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link SseParser} on one {@code content_block_delta} event (the 129-byte event the mock sends):
 * framing, field parsing, and the UTF-8 decoding of its name and data into Strings, which the
 * listener consumes. {@code oneEvent}: the event arrives as one chunk (how upstream writes it);
 * {@code oneEventSplit}: in two chunks cut inside the data line, which takes the carry path.
 * Only pipelines with hooks parse; the pure relay never runs this.
 *
 * <p>{@code oneEventFramingOnly}: the same event when the listener reads only the name and the
 * data's length, as the pipeline does for an event no hook asked for (the text-delta bytes then go
 * to the assembler's byte scan, see {@code AssemblerBenchmark.deltaFrame}): the data is never
 * decoded.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SseParseBenchmark {
  private final byte[] event = Events.DELTA;
  private final int cut = event.length / 2;
  private Blackhole sink;
  private SseParser parser;
  private SseParser framingOnly;

  @Setup
  public void setup() {
    parser = SseParser.create(this::onEvent);
    framingOnly = SseParser.create(this::onEventFramingOnly);
  }

  private void onEvent(SseFrame frame) {
    sink.consume(frame.name());
    sink.consume(frame.data());
  }

  private void onEventFramingOnly(SseFrame frame) {
    sink.consume(frame.name());
    sink.consume(frame.dataLength());
  }

  @Benchmark
  public void oneEvent(Blackhole bh) {
    sink = bh;
    parser.feed(event, 0, event.length);
  }

  @Benchmark
  public void oneEventFramingOnly(Blackhole bh) {
    sink = bh;
    framingOnly.feed(event, 0, event.length);
  }

  @Benchmark
  public void oneEventSplit(Blackhole bh) {
    sink = bh;
    parser.feed(event, 0, cut);
    parser.feed(event, cut, event.length - cut);
  }
}
