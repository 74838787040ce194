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
 */
public interface UpstreamListener {

  /** The status line and headers (names lower-cased by the transport, values in order). */
  void onResponse(int status, List<Map.Entry<String, String>> headers);

  /**
   * Body bytes exactly as received. The buffers belong to the listener from here on: the transport
   * never reuses them, so they may be written out later without a copy.
   */
  void onData(List<ByteBuffer> data);

  void onComplete();

  /** The connection failed, before or after {@link #onResponse}. */
  void onFailure(Throwable error);
}
