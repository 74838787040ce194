package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class ClientWriterTest {
  /** A blocking stream that keeps what it is given and counts flushes. */
  static final class Captured extends ServletOutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int flushes;

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void write(int b) {
      bytes.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    @Override
    public void flush() {
      flushes++;
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  /**
   * The JDK client hands over read-only buffers (no accessible array): they go through the
   * writer's scratch array, which must grow for a larger chunk and never mix chunks up.
   */
  @Test
  void readOnlyChunksOfEverySize_writtenExactlyAndInOrder() throws Exception {
    Captured out = new Captured();
    ClientWriter writer = new ClientWriter(out, false);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (int size : new int[] {100, 5000, 300, 70_000, 1, 1024, 1025}) {
      byte[] chunk = random(size);
      expected.write(chunk);
      writer.add(List.of(ByteBuffer.wrap(chunk).asReadOnlyBuffer()));
      assertThat(writer.drain()).isTrue();
    }
    assertThat(out.bytes.toByteArray()).isEqualTo(expected.toByteArray());
    assertThat(out.flushes).isEqualTo(7);
    assertThat(writer.written()).isEqualTo(expected.size());
  }

  @Test
  void mixedChunks_inOneAdd_flushedOnce_andTheEventBoundarySeen() throws Exception {
    Captured out = new Captured();
    ClientWriter writer = new ClientWriter(out, false);
    byte[] a = "event: ping\n".getBytes(StandardCharsets.UTF_8);
    byte[] b = "data: {\"type\": \"ping\"}\n\n".getBytes(StandardCharsets.UTF_8);
    writer.add(List.of(ByteBuffer.wrap(a), ByteBuffer.wrap(b).asReadOnlyBuffer()));
    assertThat(writer.betweenEvents()).isTrue();
    assertThat(writer.drain()).isTrue();
    assertThat(out.bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo("event: ping\ndata: {\"type\": \"ping\"}\n\n");
    assertThat(out.flushes).isEqualTo(1);
    writer.add(List.of(ByteBuffer.wrap(a).asReadOnlyBuffer()));
    assertThat(writer.betweenEvents()).isFalse();
  }
}
