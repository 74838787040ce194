package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BodyReaderTest {
  /** Like Logbook's adapter: blocking only, refuses a ReadListener. */
  static final class BlockingOnlyStream extends ServletInputStream {
    final ByteArrayInputStream in;

    BlockingOnlyStream(byte[] body) {
      in = new ByteArrayInputStream(body);
    }

    @Override
    public boolean isFinished() {
      return in.available() == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener readListener) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, len);
    }
  }

  static final class Recorder implements BodyReader.Callback {
    final AtomicReference<String> result = new AtomicReference<>();

    @Override
    public void onBody(byte[] body, int length) {
      result.set("body:" + new String(body, 0, length, StandardCharsets.UTF_8));
    }

    @Override
    public void onTooLarge(boolean drained) {
      result.set(drained ? "too large, drained" : "too large, cut");
    }

    @Override
    public void onReadError(Throwable error) {
      result.set("error");
    }
  }

  @Test
  void refusedReadListener_fallsBackToBlockingRead() {
    Recorder r = new Recorder();
    byte[] body = "{\"a\":1}".repeat(5000).getBytes(StandardCharsets.UTF_8);
    BodyReader.read(new BlockingOnlyStream(body), -1, 1 << 20, true, r);
    assertThat(r.result.get()).isEqualTo("body:" + "{\"a\":1}".repeat(5000));
  }

  @Test
  void overLimit_readsAndDiscardsTheRest_soTheClientSeesThe413() {
    Recorder r = new Recorder();
    BlockingOnlyStream stream = new BlockingOnlyStream(new byte[100_000]);
    BodyReader.read(stream, -1, 1000, false, r);
    assertThat(r.result.get()).isEqualTo("too large, drained");
    assertThat(stream.in.available()).isZero();
  }

  @Test
  void declaredOverLimit_isDrainedWithoutBeingKept() {
    Recorder r = new Recorder();
    BlockingOnlyStream stream = new BlockingOnlyStream(new byte[5000]);
    BodyReader.read(stream, 5000, 1000, false, r);
    assertThat(r.result.get()).isEqualTo("too large, drained");
    assertThat(stream.in.available()).isZero();
  }

  @Test
  void farOverLimit_stopsReadingAfterTheSwallowAllowance() {
    Recorder r = new Recorder();
    BlockingOnlyStream stream =
        new BlockingOnlyStream(new byte[(int) (1000 + BodyReader.SWALLOW + 100_000)]);
    BodyReader.read(stream, -1, 1000, false, r);
    assertThat(r.result.get()).isEqualTo("too large, cut");
    assertThat(stream.in.available()).isBetween(1, 100_000);
  }

  @Test
  void refuseUnread_whenTheClientWaitsForContinue_orTheBodyIsTooLargeToDrain() {
    assertThat(BodyReader.refuseUnread(1001, 1000, true)).isTrue();
    assertThat(BodyReader.refuseUnread(1000, 1000, true)).isFalse();
    assertThat(BodyReader.refuseUnread(-1, 1000, true)).isFalse();
    assertThat(BodyReader.refuseUnread(1001, 1000, false)).isFalse();
    assertThat(BodyReader.refuseUnread(1000 + BodyReader.SWALLOW, 1000, false)).isFalse();
    assertThat(BodyReader.refuseUnread(1001 + BodyReader.SWALLOW, 1000, false)).isTrue();
  }

  @Test
  void exactlyAtLimit_isAccepted() {
    Recorder r = new Recorder();
    BodyReader.read(new BlockingOnlyStream("x".repeat(1000).getBytes(StandardCharsets.UTF_8)),
        1000, 1000, false, r);
    assertThat(r.result.get()).isEqualTo("body:" + "x".repeat(1000));
  }

  @Test
  void emptyBody_isABody() {
    Recorder r = new Recorder();
    BodyReader.read(new BlockingOnlyStream(new byte[0]), 0, 1000, false, r);
    assertThat(r.result.get()).isEqualTo("body:");
  }
}
