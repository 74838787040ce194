package dev.sluice.hook;

import java.util.Map;

/** Upstream's response head, as {@link Hook#onResponseStart} sees it. */
public interface ResponseContext {
  int status();

  /**
   * Upstream's headers, read-only; {@code set-cookie} reads as {@link Headers#REDACTED} unless the
   * hook {@linkplain Hook#readsCredentials() reads credentials}.
   */
  Headers headers();

  /** The requested model, or "". */
  String model();

  boolean stream();

  Map<String, Object> attributes();
}
