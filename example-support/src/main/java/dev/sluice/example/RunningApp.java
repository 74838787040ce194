package dev.sluice.example;

import java.net.URI;

/** A started example app. {@link #close()} stops it; it is safe to call more than once. */
public interface RunningApp extends AutoCloseable {
  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  URI baseUri();

  int port();

  @Override
  void close();
}
