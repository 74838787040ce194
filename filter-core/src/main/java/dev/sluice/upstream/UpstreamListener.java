package dev.sluice.upstream;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Receives one upstream exchange. Calls are never concurrent with each other and arrive on
 * transport threads, in this order: at most one {@link #onResponse}, then {@link #onData} once per
 * {@link UpstreamCall#demand()}, then exactly one of {@link #onComplete} or {@link #onFailure}
 * (which may also come first, before any response). After {@link UpstreamCall#cancel()} further
 * calls may still arrive and are to be ignored.
 *
 * <p>The listener never blocks and may be called on a transport's I/O thread. It may call
 * {@link UpstreamCall#demand()} and {@link UpstreamCall#cancel()} from any thread, including
 * from inside a callback.
 */
public interface UpstreamListener {

  /** The status line and headers (names lower-cased by the transport, values in order). */
  void onResponse(int status, List<Map.Entry<String, String>> headers);

  /**
   * Body bytes exactly as received (after de-chunking; never decompressed). The buffers belong to
   * the listener from here on: the transport never reuses them, so they may be written out later,
   * on another thread, without a copy. A transport whose buffers are pooled hands over copies.
   */
  void onData(List<ByteBuffer> data);

  void onComplete();

  /**
   * The connection failed, before or after {@link #onResponse}. A connect timeout is reported as
   * {@link java.net.http.HttpConnectTimeoutException} (the filter answers {@code 504} to it, and
   * {@code 502} to anything else), whatever client the transport uses.
   */
  void onFailure(Throwable error);
}
