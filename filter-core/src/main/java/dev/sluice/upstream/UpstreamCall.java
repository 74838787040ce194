package dev.sluice.upstream;

/** A started upstream exchange. Both methods are thread-safe and never block. */
public interface UpstreamCall {

  /**
   * Sends the request. Never throws for I/O problems; those arrive as
   * {@link UpstreamListener#onFailure}. Calls on the listener follow its contract.
   */
  void start();

  /** Allows one more {@link UpstreamListener#onData} call; nothing is read upstream without it. */
  void demand();

  /** Aborts the exchange and releases its connection; idempotent. */
  void cancel();
}
