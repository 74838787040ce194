package dev.sluice;

import dev.sluice.client.DisconnectDetector;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A disconnect detector found by ServiceLoader in filter-core's tests, for no container: it
 * supports a filter only while {@link #enabled}, logs {@code arm} and {@code disarm}, and hands
 * the last {@code onGone} to the test, which plays the client that leaves.
 */
public final class ScriptedDetector implements DisconnectDetector {
  static volatile boolean enabled;
  static volatile boolean throwOnArm;
  static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();
  static final AtomicReference<Runnable> ON_GONE = new AtomicReference<>();

  @Override
  public String name() {
    return "scripted";
  }

  @Override
  public boolean supports(ServletContext context) {
    return enabled;
  }

  @Override
  public boolean supports(HttpServletRequest request) {
    return true;
  }

  @Override
  public Watch arm(HttpServletRequest request, Runnable onGone) {
    if (throwOnArm) {
      throw new IllegalStateException("scripted failure");
    }
    EVENTS.add("arm");
    ON_GONE.set(onGone);
    return () -> EVENTS.add("disarm");
  }
}
