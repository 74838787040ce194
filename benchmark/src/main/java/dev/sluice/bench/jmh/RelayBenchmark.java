package dev.sluice.bench.jmh;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Relays one upstream chunk holding one {@code content_block_delta} event through the real
 * {@code SluiceFilter} exchange, in-process (see {@link InProcessRelay}): the transport's
 * {@code onData(List.of(buffer))} call, the exchange lock, the hook pipeline when enabled, the
 * non-blocking write and flush on a servlet output stream that drops the bytes, and the demand
 * for the next chunk. Not included: socket I/O on either side and the container's own work.
 *
 * <ul>
 *   <li>{@code none}: no hooks, the pure byte relay (the {@code sluice-jetty} target);
 *   <li>{@code hooks}: usage-log, cost-in-usage, model-alias (the {@code sluice-hooks} target);
 *   <li>{@code legacy}: the same hooks with {@code legacy-pipeline=true} ({@code sluice-legacy}).
 * </ul>
 *
 * <p>{@code freshBuffer=true} (the default) wraps the event in a new {@code ByteBuffer} per
 * operation, as the transport hands over a new one per chunk: that buffer (56 B) and the harness's
 * {@code List.of(buffer)} (24 B) are in B/op although they are the transport's, not Sluice's.
 * {@code -p freshBuffer=false} rewinds one buffer and hands over one list every time, so B/op is
 * what Sluice itself allocates per chunk.
 *
 * <p>Every {@code eventsPerExchange} chunks the exchange is ended and a new one started (request,
 * preamble, epilogue, completion hooks), which adds 1/{@code eventsPerExchange} of that to each
 * operation: 4096 (default) isolates the per-event cost; 64 is the burst scenario's shape.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RelayBenchmark {
  @Param({"none", "hooks", "legacy"})
  public String pipeline;

  @Param({"4096"})
  public int eventsPerExchange;

  @Param({"true"})
  public boolean freshBuffer;

  private final ByteBuffer reused = ByteBuffer.wrap(Events.DELTA);
  private final List<ByteBuffer> reusedList = List.of(reused);

  private InProcessRelay relay;
  private int n;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    List<String> hooks = pipeline.equals("none") ? List.of()
        : List.of("usage-log", "cost-in-usage", "model-alias");
    relay = InProcessRelay.create(hooks, pipeline.equals("legacy"), Events.PREAMBLE,
        Events.EPILOGUE);
    relay.begin();
    // Byte for byte: the fake client must get exactly what upstream sent.
    relay.chunk(ByteBuffer.wrap(Events.DELTA));
    long expected = Events.PREAMBLE.length + Events.DELTA.length;
    if (relay.written() != expected) {
      throw new IllegalStateException("relayed " + relay.written() + " bytes, expected " + expected);
    }
    n = 1;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    relay.end();
    relay.close();
  }

  @Benchmark
  public long oneChunk() throws Exception {
    if (++n == eventsPerExchange) {
      relay.end();
      relay.begin();
      n = 0;
    }
    if (freshBuffer) {
      relay.chunk(ByteBuffer.wrap(Events.DELTA));
    } else {
      reused.clear();
      relay.chunk(reusedList);
    }
    return relay.written();
  }
}
