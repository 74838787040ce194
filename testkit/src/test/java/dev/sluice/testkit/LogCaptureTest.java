package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** LogCapture sees every layer a line can take, raises debug, and puts everything back. */
class LogCaptureTest {

  @Test
  void capturesStdStreamsJulAndSlf4jDebug_thenRestores() {
    Logger made = LoggerFactory.getLogger("capture.test.Made"); // made before the capture
    assertThat(made.isDebugEnabled()).isFalse();
    java.io.PrintStream err = System.err;
    try (LogCapture logs = LogCapture.start("capture.test")) {
      assertThat(LogCapture.debugEnabled("capture.test.Made")).isTrue();
      assertThat(LogCapture.debugEnabled("capture.test.Later")).isTrue();
      made.debug("slf4j debug line");
      LoggerFactory.getLogger("capture.test.Later").debug("later debug line");
      java.util.logging.Logger.getLogger("elsewhere.jul").warning("jul line");
      java.util.logging.Logger.getLogger("capture.test.jul").fine("jul fine line");
      System.out.println("stdout line");
      new IllegalStateException("trace line").printStackTrace();
      assertThat(logs.text()).contains("slf4j debug line", "later debug line", "jul line",
          "jul fine line", "stdout line", "trace line");
    }
    assertThat(System.err).isSameAs(err);
    assertThat(made.isDebugEnabled()).isFalse();
    assertThat(LoggerFactory.getLogger("capture.test.Other").isDebugEnabled()).isFalse();
    assertThat(LoggerFactory.getLogger("capture.test.Later").isDebugEnabled())
        .as("made during the capture, lowered after it").isFalse();
  }
}
