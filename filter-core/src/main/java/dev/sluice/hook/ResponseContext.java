package dev.sluice.hook;

import java.util.Map;

/** Upstream's response head, as {@link Hook#onResponseStart} sees it. */
public interface ResponseContext {
  int status();

  /** Upstream's headers, read-only. */
  Headers headers();

  /** The requested model, or "". */
  String model();

  boolean stream();

  Map<String, Object> attributes();
}
